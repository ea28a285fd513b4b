"""The s3cop command: run, demo, sandbox, check-config, db upgrade and db backup.

A user's mistake (a missing config file, a database from a newer s3cop, an unreachable Discord)
ends the command with one ``error:`` line on stderr and exit code 1, never a traceback; whatever
the command opened is closed first, so it never hangs on its way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.settings import Settings, SettingsError, load_settings, setting_warnings
from db.database import Database, SchemaRefusedError

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("config.toml")
CONNECT_ATTEMPTS = 5
SIGNALS = (signal.SIGINT, signal.SIGTERM)
RETRY_DELAY = 2.0  # seconds before the second start-up attempt; doubled for each one after
# What an unreachable Discord raises at start-up. discord.py 2.7.1 does not retry a failed
# first gateway connect: it logs the cause and dies with an AttributeError (DISCORD_WIRE.md).
UNREACHABLE = (
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    AttributeError,
)


# The collector's young generation, in allocations (Python's default is 700). In a burst of
# 1,000 clicks each click's objects live until it is answered; at 700 the young collections
# promote them by the thousand and each burst set off full collections (bench/README.md).
GC_YOUNG = 10_000


def settle_heap() -> None:
    """Once the bot has started (extensions loaded, commands synced): start-up's objects stay
    for the life of the process, so move them out of the collector's way (``gc.freeze``) and
    let the short-lived objects of interactions die young. For ``s3cop run``'s process only:
    a process that starts many bots (the tests) would keep each frozen bot for good."""
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *older)


class CliError(Exception):
    """A problem the user can fix: printed as one ``error:`` line, exit code 1."""


def _load(path: Path, *, warn: bool = False) -> Settings:
    """The settings, or a CliError naming the first problem (check-config lists them all);
    with ``warn``, what looks unintended (the example's guild id) is printed first."""
    try:
        settings = load_settings(path)
    except SettingsError as exc:
        first, more = exc.problems[0], len(exc.problems) - 1
        where = "" if str(first).startswith(str(path)) else f"{path}: "
        also = f" (and {more} more: run 's3cop check-config {path}')" if more else ""
        raise CliError(f"{where}{first}{also}") from None
    for warning in setting_warnings(path, settings) if warn else []:
        print(f"warning: {warning}", file=sys.stderr)
    return settings


def cmd_check_config(args: argparse.Namespace) -> int:
    path: Path = args.path or args.config
    try:
        settings = load_settings(path)
    except SettingsError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {path}")
        return 1
    for warning in setting_warnings(path, settings):
        print(f"warning: {warning}")
    print(f"{path}: OK")
    return 0


@contextlib.asynccontextmanager
async def _database(settings: Settings, *, migrate: bool) -> AsyncIterator[Database]:
    """The database, open (and migrated) for the block and closed after it, whatever happens:
    aiosqlite's thread left open would keep the process alive after an error."""
    path = settings.database.path
    if not path.parent.is_dir():
        raise CliError(f"no folder {path.parent} for the database; create it or fix database.path")
    try:
        db = await Database.open(path)
    except sqlite3.Error as exc:
        raise CliError(f"cannot open the database {path}: {exc} (check database.path)") from None
    try:
        if migrate:
            await db.migrate()
        yield db
    except SchemaRefusedError as exc:
        raise CliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise CliError(f"{path}: {exc}") from None
    finally:
        await db.close()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _load(args.config)

    async def upgrade() -> None:
        async with _database(settings, migrate=True) as db:
            print(f"{settings.database.path}: schema version {await db.version()}")

    asyncio.run(upgrade())
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings = _load(args.config)
    source, target = settings.database.path, args.target
    if not source.is_file():
        raise CliError(f"no database at {source} to back up (check database.path in {args.config})")
    if target.is_dir():
        raise CliError(f"{target} is a folder; give the backup's file name, e.g. {target}/s3cop.db")
    if target.exists() and target.resolve() == source.resolve():
        raise CliError(f"{target} is the live database itself; give another file name")

    async def backup() -> None:
        async with _database(settings, migrate=False) as db:
            try:
                await db.backup(target)
            except (OSError, sqlite3.Error) as exc:
                raise CliError(f"cannot write the backup {target}: {exc}") from None
        print(f"backed up {source} to {target}")

    asyncio.run(backup())
    return 0


def _reason(exc: BaseException) -> str:
    """What went wrong, in one line: discord.py's AttributeError hides the real cause."""
    if isinstance(exc, AttributeError) and exc.__context__ is not None:
        exc = exc.__context__
    return str(exc).strip() or type(exc).__name__


async def _run(
    settings: Settings,
    token: str,
    sync_globally: bool,
    *,
    config: Path = DEFAULT_CONFIG,
    retry_delay: float | None = None,
) -> int:
    """Serve until stopped. Start-up is retried when Discord cannot be reached (each attempt
    with a fresh client, as a half-started one cannot be reused); once connected, discord.py
    reconnects by itself."""
    from bot.discord_urls import point_discord_at

    point_discord_at(settings.discord.api_base, settings.discord.gateway_url)
    stopping = asyncio.Event()
    current: list[S3Bot] = []
    closing: set[asyncio.Task[None]] = set()

    def stop() -> None:
        stopping.set()
        if current:
            task = asyncio.ensure_future(current[-1].close())
            closing.add(task)
            task.add_done_callback(closing.discard)

    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop)
    try:
        return await _serve(settings, token, sync_globally, config, retry_delay, stopping, current)
    finally:
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


async def _serve(
    settings: Settings,
    token: str,
    sync_globally: bool,
    config: Path,
    retry_delay: float | None,
    stopping: asyncio.Event,
    current: list[S3Bot],
) -> int:
    from bot.client import S3Bot

    async with _database(settings, migrate=True) as db:
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            bot = S3Bot(settings, db, sync_globally=sync_globally)
            current.append(bot)
            what, key = "API", "discord.api_base"
            try:
                async with bot:
                    await bot.login(token)  # runs setup_hook: the bot is loaded
                    settle_heap()
                    what, key = "gateway", "discord.gateway_url"
                    await bot.connect(reconnect=True)
                return 0
            except discord.LoginFailure:
                raise CliError("Discord rejected the token; check DISCORD_TOKEN") from None
            except discord.PrivilegedIntentsRequired:
                raise CliError(
                    "enable the Server Members intent for this bot in the Discord developer portal"
                ) from None
            except UNREACHABLE as exc:
                if stopping.is_set() or bot.is_ready():
                    raise
                url = settings.discord.api_base if what == "API" else settings.discord.gateway_url
                tried = f"cannot reach Discord's {what} at {url} ({_reason(exc)})"
                check = f"check the network connection and {key} in {config}"
                if attempt == CONNECT_ATTEMPTS:
                    raise CliError(f"{tried} after {attempt} attempts; {check}") from None
                delay = (RETRY_DELAY if retry_delay is None else retry_delay) * 2 ** (attempt - 1)
                log.warning("%s; %s; retrying in %g s", tried, check, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), delay)
                if stopping.is_set():
                    return 0
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging

    settings = _load(args.config, warn=True)
    token = settings.token()
    if not token:
        raise CliError("no token: set DISCORD_TOKEN (or discord.token in the config file)")
    try:
        configure_logging(settings.logging.level, settings.logging.file)
    except OSError as exc:
        raise CliError(f"cannot open the log file {settings.logging.file}: {exc}") from None
    return asyncio.run(_run(settings, token, args.sync_globally, config=args.config))


def cmd_demo(args: argparse.Namespace) -> int:
    from tour import run_demo

    return _interruptible(lambda: asyncio.run(run_demo(sys.stdout)))


def cmd_sandbox(args: argparse.Namespace) -> int:
    if args.serve:
        from bot.serve import serve

        return asyncio.run(
            serve(
                sys.stdout,
                port=args.port,
                extra_members=args.members,
                config_path=args.write_config,
                database=args.database,
            )
        )
    from bot.prompt import run_prompt

    return _interruptible(lambda: asyncio.run(run_prompt(web_port=args.web)))


def _interruptible(run: Callable[[], int]) -> int:
    """Ctrl-C ends a local session quietly, with the shell's usual exit code."""
    try:
        return run()
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


DESCRIPTION = """\
s3cop: a Discord bot for communities of practice. Try it without Discord with
`s3cop demo` or `s3cop sandbox`; run it for real with `s3cop run`."""


def build_parser() -> argparse.ArgumentParser:
    """The command line; ``--config`` is accepted before or after any subcommand."""
    config_help = f"the settings file (default: {DEFAULT_CONFIG})"
    # Below the top level the default is SUPPRESS, so a --config given before the subcommand
    # is not overwritten by the subcommand's own default.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)

    parser = argparse.ArgumentParser(
        prog="s3cop", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help=config_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[config], help="connect to Discord and serve")
    run.add_argument(
        "--sync-globally",
        action="store_true",
        help="also sync commands globally (slow to propagate; guild sync is default)",
    )
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="a scripted tour against the local sandbox")
    demo.set_defaults(func=cmd_demo)

    sandbox = sub.add_parser("sandbox", help="try the bot by hand against the local sandbox")
    sandbox.add_argument(
        "--serve",
        action="store_true",
        help="only serve the sandbox (seeded) on 127.0.0.1 for a bot in another process",
    )
    sandbox.add_argument("--port", type=int, default=0, help="with --serve (0: any free port)")
    sandbox.add_argument(
        "--members", type=int, default=0, help="with --serve: this many members more"
    )
    sandbox.add_argument(
        "--write-config",
        type=Path,
        default=Path("sandbox-bot.toml"),
        help="with --serve: where to write the config for `s3cop run`",
    )
    sandbox.add_argument(
        "--database",
        type=Path,
        default=Path("sandbox-bot.sqlite3"),
        help="with --serve: the database path put in that config",
    )
    sandbox.add_argument(
        "--web",
        type=int,
        nargs="?",
        const=8080,
        metavar="PORT",
        help="also run the bot's web server (/healthz, calendar feeds) on 127.0.0.1:PORT "
        "(default 8080)",
    )
    sandbox.set_defaults(func=cmd_sandbox)

    check = sub.add_parser("check-config", parents=[config], help="validate a config file")
    check.add_argument(
        "path", type=Path, nargs="?", help="the file to check (default: --config's file)"
    )
    check.set_defaults(func=cmd_check_config)

    db = sub.add_parser("db", parents=[config], help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", parents=[config], help="apply pending migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)
    backup = db_sub.add_parser(
        "backup", parents=[config], help="a consistent copy of the live database"
    )
    backup.add_argument("target", type=Path, help="the file to write the copy to")
    backup.set_defaults(func=cmd_db_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        # An install older than the code (a pull that added a dependency or package): say how
        # to bring it up to date instead of a traceback.
        print(
            f"error: {exc.name} is not installed; the installation is older than the code. "
            "Run `make test` or `make demo` (or `pip install -e .`) to update it.",
            file=sys.stderr,
        )
        return 1
    return result
