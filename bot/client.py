"""The Bot: owns the scheduler and web server, loads the feature cogs, syncs commands."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord.ext import commands

from bot.answering import guard
from bot.clock import Clock, SystemClock
from bot.components import answer_lost_form
from bot.members import Members
from bot.notices import Notices
from bot.pacing import GlobalPacer
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.translator import CatalogTranslator
from bot.tree import S3Tree
from bot.web import WebServer
from db.database import Database

log = logging.getLogger(__name__)

# discord.py's names for the tasks that run slash commands, buttons, selects and modals.
INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-modal-dispatch",
    "discord-ui-dynamic-item",
)
SHUTDOWN_GRACE = 10.0  # seconds the handlers under way get to finish at shutdown

# Listed explicitly: a feature ships when it is added here.
EXTENSIONS = (
    "cogs.meta",
    "cogs.prefs",
    "cogs.events",
    "cogs.polls",
    "cogs.groups",
    "cogs.support",
)


def intents() -> discord.Intents:
    """Guilds, members (for the directory and role checks), DMs, and message content: support
    keeps a resolved request's thread as a transcript, which Discord blanks without it."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = True
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
        self.pacer = GlobalPacer()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            connector=self.pacer.connector(),
            tree_cls=S3Tree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        self.settings = settings
        self.db = db
        self.clock = clock or SystemClock()
        self.scheduler = Scheduler(
            db,
            self.clock,
            timedelta(minutes=settings.scheduler.grace_minutes),
            ready=self.wait_until_ready,
        )
        self.web: WebServer | None = (
            WebServer(self, settings.web.host, settings.web.port) if settings.web.enabled else None
        )
        self.extension_names = extensions
        self.sync_globally = sync_globally or settings.discord.sync_globally
        self.started_at = time.monotonic()
        self.default_language = settings.locale.language
        self.default_timezone = ZoneInfo(settings.locale.timezone)
        self.members = Members(self)
        self.notices = Notices(self)
        # Each loaded feature's parts (its service), by feature name: what its persistent
        # buttons, which discord.py builds from a custom_id alone, reach it through.
        self.features: dict[str, Any] = {}
        self._answer_guards: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        for name in self.extension_names:
            await self.load_extension(name)
        await self.scheduler.start()
        if self.web is not None:
            await self.web.start()
        await self.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Every command, button, select and modal: remember the member's language, and make
        sure they are answered in time (bot/answering.py), also for a form no one will take."""
        guard(interaction, self._answer_guards)
        self.members.remember(interaction)
        await answer_lost_form(interaction)

    async def sync_commands(self) -> None:
        """Sync to the configured guild; globally only when asked (it takes Discord an hour)."""
        guild = discord.Object(self.settings.discord.guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to guild %s", len(synced), guild.id)
        if self.sync_globally:
            synced = await self.tree.sync()
            log.info("synced %d commands globally", len(synced))

    async def _finish_interactions(self) -> None:
        """Let command, button and modal handlers under way finish (bounded): the owner closes
        the database right after the bot, and a handler cut off mid-way would lose its writes.
        discord.py runs each handler as a task with a name that says what it is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_GRACE
        current = asyncio.current_task()
        while loop.time() < deadline:
            running = [
                task
                for task in asyncio.all_tasks()
                if task is not current
                and not task.done()
                and task.get_name().startswith(INTERACTION_TASKS)
            ]
            if not running:
                return
            await asyncio.wait(running, timeout=deadline - loop.time())
        log.warning("shutting down with interaction handlers still running")

    def find_channel(self, guild: discord.Guild, ref: str | int) -> discord.TextChannel | None:
        """A configured text channel, named or by id."""
        if isinstance(ref, int):
            channel = guild.get_channel(ref)
        else:
            channel = discord.utils.get(guild.text_channels, name=ref)
        return channel if isinstance(channel, discord.TextChannel) else None

    def find_role(self, guild: discord.Guild, ref: str | int) -> discord.Role | None:
        """A configured role, named or by id."""
        if isinstance(ref, int):
            return guild.get_role(ref)
        return discord.utils.get(guild.roles, name=ref)

    async def admin_log_once(self, guild: discord.Guild, key: str, text: str) -> None:
        """Tell the admins about a problem once (per key), never failing the caller."""

        async def post(nonce: str) -> None:
            channel = self.find_channel(guild, self.settings.channels.admin_log)
            log.warning("admin log (%s): %s", guild.id, text)
            if channel is not None:
                try:
                    await channel.send(text, nonce=nonce)
                except discord.HTTPException:
                    log.warning("could not write to the admin log channel in %s", guild.id)

        await self.scheduler.once(f"admin-log:{guild.id}:{key}", guild.id, post)

    async def close(self) -> None:
        """Stop taking work, let writes finish, stop the scheduler and the web server."""
        await self.scheduler.stop()
        await self._finish_interactions()
        await self.members.flush()
        if self.web is not None:
            await self.web.stop()
        await super().close()
