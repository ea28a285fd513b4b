"""Logging set-up: one format, level and optional file from the settings; tokens never appear."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import aiohttp

NETWORK_ERRORS = (OSError, TimeoutError, aiohttp.ClientError)
_TOKEN_SHAPE = re.compile(r"[\w-]{24,}\.[\w-]{6}\.[\w-]{27,}")


class RedactTokens(logging.Filter):
    """Blank anything shaped like a bot token, wherever it appears in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_SHAPE.search(message):
            record.msg = _TOKEN_SHAPE.sub("[token]", message)
            record.args = None
        return True


# discord.py logs every raw gateway event at DEBUG: an interaction names the member beside the
# options they picked, which would put a secret ballot's voter and choice on one log line.
NEVER_DEBUG = ("discord.gateway",)
# APScheduler logs three INFO lines each time the scheduler re-arms its one timer (after every
# planned action and every run): at INFO they buried the lines that say what the bot did. Only
# DEBUG shows them.
QUIET_AT_INFO = ("apscheduler",)


class BriefNetworkErrors(logging.Filter):
    """A network failure logged with its traceback becomes one line with its cause: when
    Discord cannot be reached, 70 lines of aiohttp internals hide what to check."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            cause = str(record.exc_info[1]).strip() or type(record.exc_info[1]).__name__
            record.msg = f"{record.getMessage()}: {cause}"
            record.args = None
            record.exc_info = None
        return True


def no_voice_notice(record: logging.LogRecord) -> bool:
    """The bot has no voice features: discord.py's notice at every start that voice libraries
    are missing is only noise."""
    return "voice will NOT be supported" not in record.getMessage()


def configure_logging(level: str, file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    for handler in handlers:
        handler.addFilter(no_voice_notice)
        handler.addFilter(BriefNetworkErrors())
        handler.addFilter(RedactTokens())
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    for name in NEVER_DEBUG:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logging.getLogger().level))
    root = logging.getLogger().level
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(
            logging.NOTSET if root <= logging.DEBUG else max(logging.WARNING, root)
        )
