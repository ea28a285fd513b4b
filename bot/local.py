"""A community on the local sandbox: the real bot, a seeded guild, and members to act as.

Tests, ``s3cop demo``, ``s3cop sandbox`` and the benchmarks all start the bot this way, so what
they show is what a real server would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.client import EXTENSIONS, S3Bot
from bot.clock import Clock, SystemClock
from bot.discord_urls import point_discord_at
from bot.sandbox import permissions as perm
from bot.sandbox.driver import MemberDriver
from bot.sandbox.models import Channel, Guild, Member, Role
from bot.sandbox.server import Sandbox
from bot.settings import Settings, parse_settings
from db.database import Database

READY_TIMEOUT = 15.0

# name -> (roles, Discord locale)
DEFAULT_MEMBERS: dict[str, tuple[tuple[str, ...], str]] = {
    "sofia": (("Secretariat", "Organisers"), "en-GB"),
    "olli": (("Organisers",), "fi"),
    "aino": ((), "fi"),
    "marco": ((), "it"),
    "lena": ((), "de"),
}
# The time zone of each seeded member's device: Discord shows them timestamps in it.
DEVICE_ZONES = {
    "sofia": "Europe/Brussels",
    "olli": "Europe/Helsinki",
    "aino": "Europe/Helsinki",
    "marco": "Europe/Rome",
    "lena": "Europe/Berlin",
}
CHANNELS = ("events", "announcements", "admin-log", "groups")  # #general comes with the guild
ROLES = ("Organisers", "Secretariat")


@dataclass
class LocalCommunity:
    """The sandbox, its seeded guild, and the bot (which can be stopped and started again)."""

    sandbox: Sandbox
    settings: Settings
    clock: Clock
    guild: Any
    channels: dict[str, Any]
    roles: dict[str, Any]
    members: dict[str, Any]
    bot: S3Bot | None = None
    db: Database | None = None
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    def as_member(self, name: str) -> MemberDriver:
        """The driver that acts as this member (slash commands, buttons, modals)."""
        return self.sandbox.as_member(self.members[name])

    async def start_bot(self, **client_options: Any) -> S3Bot:
        """Open the database, start the bot, and wait until it is ready and synced."""
        point_discord_at(self.sandbox.api_base, self.sandbox.gateway_url)
        self.db = await Database.open(self.settings.database.path)
        await self.db.migrate()
        bot = S3Bot(
            self.settings,
            self.db,
            clock=self.clock,
            extensions=EXTENSIONS,
            guild_ready_timeout=0.01,
            **client_options,
        )
        await bot.login(self.sandbox.token)
        self._task = asyncio.create_task(bot.connect(reconnect=True))
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait(
            {ready, self._task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if not ready.done():
            ready.cancel()
            if self._task.done():
                self._task.result()  # raises what stopped the connection
            raise TimeoutError("the bot did not become ready on the sandbox")
        self.bot = bot
        return bot

    async def stop_bot(self) -> None:
        """An orderly stop: the scheduler stops, writes finish, the database closes."""
        if self.bot is not None:
            await self.bot.close()
            if self._task is not None:
                with contextlib.suppress(Exception):
                    await self._task
            self.bot = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart_bot(self) -> S3Bot:
        await self.stop_bot()
        return await self.start_bot()


@dataclass
class Seeded:
    """The S3 CoP guild as seeded on a sandbox."""

    guild: Guild
    channels: dict[str, Channel]
    roles: dict[str, Role]
    members: dict[str, Member]


def seed_community(
    sandbox: Sandbox,
    members: dict[str, tuple[tuple[str, ...], str]] | None = None,
    *,
    extra_members: int = 0,
) -> Seeded:
    """The S3 CoP guild: its roles, channels and members (``extra_members`` more named
    ``member0001``...: a crowd for bursts and fan-outs)."""
    guild = sandbox.add_guild("S3 Community of Practice")
    roles = {name: sandbox.add_role(guild, name) for name in ROLES}
    channels = {name: sandbox.add_channel(guild, name) for name in CHANNELS}
    channels |= support_channels(sandbox, guild, roles["Secretariat"])
    people = {}
    for name, (role_names, locale) in (members or DEFAULT_MEMBERS).items():
        people[name] = sandbox.add_member(
            guild, name.capitalize(), roles=[roles[r] for r in role_names], locale=locale
        )
    for number in range(1, extra_members + 1):
        name = f"member{number:04d}"
        people[name] = sandbox.add_member(guild, name, locale="fi" if number % 3 == 0 else "en-GB")
    return Seeded(guild, channels, roles, people)


def community_settings(
    sandbox: Sandbox, guild_id: int, db_path: Path, **sections: dict[str, Any]
) -> Settings:
    data: dict[str, Any] = {
        "discord": {
            "guild_id": guild_id,
            "api_base": sandbox.api_base,
            "gateway_url": sandbox.gateway_url,
        },
        "database": {"path": str(db_path)},
        "locale": {"timezone": "Europe/Brussels", "language": "en"},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse_settings(data)


def support_channels(sandbox: Sandbox, guild: Any, secretariat: Any) -> dict[str, Any]:
    """#support holds requests' private threads (the secretariat sees them all through Manage
    Threads); #support-triage, for the secretariat and the bot only, holds cards and notes."""
    everyone = guild.roles[guild.id]
    return {
        "support": sandbox.add_channel(
            guild, "support", overwrites={secretariat: (perm.MANAGE_THREADS, 0)}
        ),
        "support-triage": sandbox.add_channel(
            guild,
            "support-triage",
            overwrites={
                everyone: (0, perm.VIEW_CHANNEL),
                secretariat: (perm.VIEW_CHANNEL, 0),
                sandbox.bot_user: (perm.VIEW_CHANNEL, 0),
            },
        ),
    }


@contextlib.asynccontextmanager
async def local_community(
    directory: Path | None = None,
    *,
    clock: Clock | None = None,
    members: dict[str, tuple[tuple[str, ...], str]] | None = None,
    start: bool = True,
    **sections: dict[str, Any],
) -> AsyncIterator[LocalCommunity]:
    """A sandbox with the S3 CoP guild seeded, and (unless ``start=False``) the bot running."""
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="s3cop-")))
        clock = clock or SystemClock()
        async with Sandbox(clock=clock) as sandbox:
            seeded = seed_community(sandbox, members)
            settings = community_settings(
                sandbox, seeded.guild.id, directory / "s3cop.sqlite3", **sections
            )
            community = LocalCommunity(
                sandbox,
                settings,
                clock,
                seeded.guild,
                seeded.channels,
                seeded.roles,
                seeded.members,
            )
            try:
                if start:
                    await community.start_bot()
                yield community
            finally:
                await community.stop_bot()
