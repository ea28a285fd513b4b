"""The ``s3cop`` command: run, demo, sandbox, check-config, db upgrade and db backup."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import discord

from bot.settings import Settings, SettingsError, load_settings, permission_warnings
from db.database import Database, DatabaseTooNewError

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("config.toml")
CONNECT_ATTEMPTS = 5


def _load(path: Path) -> Settings:
    settings = load_settings(path)
    for warning in permission_warnings(path, settings):
        print(f"warning: {warning}", file=sys.stderr)
    return settings


def cmd_check_config(args: argparse.Namespace) -> int:
    try:
        _load(args.path)
    except SettingsError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {args.path}")
        return 1
    print(f"{args.path}: OK")
    return 0


async def _open_db(settings: Settings) -> Database:

    db = await Database.open(settings.database.path)
    await db.migrate()
    return db


def cmd_db(args: argparse.Namespace) -> int:
    settings = _load(args.config)

    async def upgrade() -> None:
        db = await _open_db(settings)
        print(f"{settings.database.path}: schema version {await db.version()}")
        await db.close()

    async def backup() -> None:
        db = await Database.open(settings.database.path)
        try:
            await db.backup(args.target)
        finally:
            await db.close()
        print(f"backed up {settings.database.path} to {args.target}")

    try:
        asyncio.run(upgrade() if args.db_command == "upgrade" else backup())
    except DatabaseTooNewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


async def _run(settings: Settings, token: str, sync_globally: bool) -> int:
    from bot.client import S3Bot
    from bot.discord_urls import point_discord_at

    point_discord_at(settings.discord.api_base, settings.discord.gateway_url)
    db = await _open_db(settings)
    bot = S3Bot(settings, db, sync_globally=sync_globally)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.login(token)
            # discord.py 2.7.1 does not retry a failed first gateway connect: do it here.
            for attempt in range(1, CONNECT_ATTEMPTS + 1):
                try:
                    await bot.connect(reconnect=True)
                    break
                except (
                    OSError,
                    discord.GatewayNotFound,
                    discord.ConnectionClosed,
                    AttributeError,
                ) as exc:
                    if bot.is_closed() or attempt == CONNECT_ATTEMPTS:
                        raise
                    delay = 2**attempt
                    log.warning("gateway connect failed (%s); retrying in %d s", exc, delay)
                    await asyncio.sleep(delay)
    except discord.LoginFailure:
        print("error: Discord rejected the token; check DISCORD_TOKEN", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "error: enable the Server Members intent for this bot in the Discord developer portal",
            file=sys.stderr,
        )
        return 1
    finally:
        await db.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging

    try:
        settings = _load(args.config)
    except SettingsError as exc:
        print(
            f"error: {args.config} has problems (run 's3cop check-config'):\n{exc}", file=sys.stderr
        )
        return 1
    token = settings.token()
    if not token:
        print(
            "error: no token: set DISCORD_TOKEN (or discord.token in the config file)",
            file=sys.stderr,
        )
        return 1
    configure_logging(settings.logging.level, settings.logging.file)
    return asyncio.run(_run(settings, token, args.sync_globally))


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return _interruptible(lambda: asyncio.run(run_demo(sys.stdout)))


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.prompt import run_prompt

    return _interruptible(lambda: asyncio.run(run_prompt()))


def _interruptible(run: Callable[[], int]) -> int:
    """Ctrl-C ends a local session quietly, with the shell's usual exit code."""
    try:
        return run()
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s3cop", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="connect to Discord and serve")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    run.add_argument(
        "--sync-globally",
        action="store_true",
        help="also sync commands globally (slow to propagate; guild sync is default)",
    )
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="a scripted tour against the local sandbox")
    demo.set_defaults(func=cmd_demo)

    sandbox = sub.add_parser("sandbox", help="try the bot by hand against the local sandbox")
    sandbox.set_defaults(func=cmd_sandbox)

    check = sub.add_parser("check-config", help="validate a config file")
    check.add_argument("path", type=Path, nargs="?", default=DEFAULT_CONFIG)
    check.set_defaults(func=cmd_check_config)

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations")
    backup = db_sub.add_parser("backup", help="a consistent online copy")
    backup.add_argument("target", type=Path)
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result
