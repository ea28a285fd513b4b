"""The command tree and the one way errors reach members.

A :class:`~bot.errors.UserFacingError` becomes an ephemeral message in the member's language.
Anything else is logged with its traceback under a short error id, and the member gets an apology
quoting that id, so a secretariat member can find the log line.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.answering import clip, reply
from bot.errors import UserFacingError
from bot.i18n import _, language_of, translate

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)

# What a refusal quotes of the member's input, at most (a string option may carry 6,000
# characters); long enough for every name a refusal gives of its own.
ECHO_MAX = 200

__all__ = ["S3Tree", "answer_error", "interaction_language", "reply"]


def interaction_language(interaction: discord.Interaction[Any]) -> str:
    """The member's client language if we speak it, else the guild's default language."""
    client = interaction.client
    fallback = getattr(client, "default_language", "en")
    return language_of(str(interaction.locale.value), fallback)


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Turn any failure in a command, button, select or modal into an ephemeral answer."""
    original = error
    # discord.py wraps what a command or transformer raised; unwrap it (a bounded few layers).
    for _layer in range(3):
        if not isinstance(
            original, app_commands.CommandInvokeError | app_commands.TransformerError
        ):
            break
        cause = original.__cause__
        if cause is None:
            break
        original = cause
    language = interaction_language(interaction)
    if isinstance(original, UserFacingError):
        params = {
            key: clip(value, ECHO_MAX) if isinstance(value, str) else value
            for key, value in original.params.items()
        }
        text = translate(language, original.message, **params)
        for note, note_params in original.notes:
            text += "\n" + translate(language, note, **note_params)
    elif isinstance(original, app_commands.CheckFailure):
        text = translate(language, _("You don't have permission to do that here."))
    else:
        error_id = secrets.token_hex(4)
        log.error(
            "error %s in %s",
            error_id,
            _describe(interaction),
            exc_info=(type(error), error, error.__traceback__),
        )
        text = translate(
            language,
            _(
                "Sorry, something went wrong on my side. If it happens again, tell the secretariat "
                "the error id {error_id}."
            ),
            error_id=error_id,
        )
    try:
        await reply(interaction, text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the member about an error in %s", _describe(interaction))


def _describe(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    return f"component {data.get('custom_id', '?')}"


class S3Tree(app_commands.CommandTree["S3Bot"]):
    """The command tree with the one error handler."""

    async def on_error(
        self, interaction: discord.Interaction[S3Bot], error: app_commands.AppCommandError
    ) -> None:
        await answer_error(interaction, error)
