"""/timezone and /reminders: a member's own preferences, kept for every feature.

The language needs no command: it follows each member's Discord language and is remembered
whenever they use the bot (:meth:`bot.members.Members.remember`).
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import S3Bot
from bot.i18n import C_, _, translate
from bot.members import pick_zone, zone_choices
from bot.tree import interaction_language, reply
from bot.zones import zone_words
from db import prefs


class PrefsCog(commands.Cog, name="Preferences"):
    """The time zone typed times are read in, and reminder DMs."""

    # i18n: the feature heading /help shows for /timezone and /reminders
    feature = _("Your preferences")

    timezone = app_commands.Group(
        name=C_("command", "timezone"), description=_("The time zone your times are read in")
    )
    reminders = app_commands.Group(
        name=C_("command", "reminders"), description=_("Event reminders by direct message")
    )

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Build the city and country names /timezone looks zones up by (about half a second)
        in a worker thread once the bot is ready, not inside a member's first autocomplete."""
        await asyncio.get_running_loop().run_in_executor(None, zone_words)

    @timezone.command(
        name=C_("command", "set"), description=_("Set the time zone your times are read in")
    )
    @app_commands.describe(zone=_("Your time zone, e.g. Europe/Helsinki"))
    async def timezone_set(self, interaction: discord.Interaction[S3Bot], zone: str) -> None:
        picked = pick_zone(zone)
        await self.bot.db.write(
            prefs.set_timezone, interaction.guild_id or 0, interaction.user.id, picked.key
        )
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("Your time zone is now {zone}. Times you type are read in it."),
                zone=picked.key,
            ),
        )

    @timezone_set.autocomplete("zone")
    async def _zone_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @timezone.command(
        name=C_("command", "show"), description=_("Show the time zone your times are read in")
    )
    async def timezone_show(self, interaction: discord.Interaction[S3Bot]) -> None:
        mine = await self.bot.db.read(prefs.get, interaction.guild_id or 0, interaction.user.id)
        language = interaction_language(interaction)
        if mine.timezone:
            text = translate(language, _("Times you type are read in {zone}."), zone=mine.timezone)
        else:
            text = translate(
                language,
                _(
                    "Times you type are read in {zone}, the server's default: set your own "
                    "with /timezone set."
                ),
                zone=self.bot.default_timezone.key,
            )
        await reply(interaction, text)

    @reminders.command(
        name=C_("command", "on"), description=_("Get event reminders by direct message")
    )
    async def reminders_on(self, interaction: discord.Interaction[S3Bot]) -> None:
        await self.bot.db.write(
            prefs.set_reminders, interaction.guild_id or 0, interaction.user.id, True
        )
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("I'll remind you of events you're going to by DM."),
            ),
        )

    @reminders.command(
        name=C_("command", "off"), description=_("Stop event reminders by direct message")
    )
    async def reminders_off(self, interaction: discord.Interaction[S3Bot]) -> None:
        await self.bot.db.write(
            prefs.set_reminders, interaction.guild_id or 0, interaction.user.id, False
        )
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("No more reminder DMs; channel reminders continue."),
            ),
        )


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(PrefsCog(bot))
