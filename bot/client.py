"""The Bot: owns the scheduler and web server, loads the feature cogs, syncs commands."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.translator import CatalogTranslator
from bot.tree import S3Tree
from bot.web import WebServer
from db.database import Database

log = logging.getLogger(__name__)

# Listed explicitly: a feature ships when it is added here.
EXTENSIONS = ("cogs.meta",)


def intents() -> discord.Intents:
    """Guilds, members (for the directory and role checks) and DMs; no message content."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = False
    return wanted


class S3Bot(commands.Bot):
    """s3cop's client. The database is opened by the caller and handed in."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        clock: Clock | None = None,
        extensions: tuple[str, ...] = EXTENSIONS,
        sync_globally: bool = False,
        **client_options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=S3Tree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        self.settings = settings
        self.db = db
        self.clock = clock or SystemClock()
        self.scheduler = Scheduler(
            db, self.clock, timedelta(minutes=settings.scheduler.grace_minutes)
        )
        self.web: WebServer | None = (
            WebServer(self, settings.web.host, settings.web.port) if settings.web.enabled else None
        )
        self.extension_names = extensions
        self.sync_globally = sync_globally or settings.discord.sync_globally
        self.started_at = time.monotonic()
        self.default_language = settings.locale.language
        self.default_timezone = ZoneInfo(settings.locale.timezone)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        for name in self.extension_names:
            await self.load_extension(name)
        await self.scheduler.start()
        if self.web is not None:
            await self.web.start()
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync to the configured guild; globally only when asked (it takes Discord an hour)."""
        guild = discord.Object(self.settings.discord.guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to guild %s", len(synced), guild.id)
        if self.sync_globally:
            synced = await self.tree.sync()
            log.info("synced %d commands globally", len(synced))

    async def close(self) -> None:
        """Stop taking work, let writes finish, stop the scheduler and the web server."""
        await self.scheduler.stop()
        if self.web is not None:
            await self.web.stop()
        await super().close()
