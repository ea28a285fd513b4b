"""/about and /help: what the bot is, and its commands by feature, in the member's language."""

from __future__ import annotations

import time
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

import bot as package
from bot.client import S3Bot
from bot.i18n import C_, NAME_CONTEXT, _, lookup, translate
from bot.tree import interaction_language, reply

PROJECT_URL = "https://github.com/s3cop/s3cop"
EMBED_COLOUR = discord.Colour.from_rgb(0, 51, 153)  # the EU flag's blue
FIELD_LIMIT = 1024  # Discord's limit for one embed field's value


def _uptime(seconds: float) -> str:
    return str(timedelta(seconds=int(seconds)))


def localized_path(command: app_commands.Command | app_commands.Group, language: str) -> str:
    """``/event create`` as a member of that language would type it."""
    parts = []
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None:
        parts.append(lookup(language, node.name, NAME_CONTEXT) or node.name)
        node = node.parent
    return "/" + " ".join(reversed(parts))


def field_values(lines: list[str], limit: int = FIELD_LIMIT) -> list[str]:
    """Whole lines packed into embed field values of at most ``limit`` characters."""
    values: list[str] = []
    for line in lines:
        line = line[:limit]
        if values and len(values[-1]) + 1 + len(line) <= limit:
            values[-1] += "\n" + line
        else:
            values.append(line)
    return values


class Meta(commands.Cog):
    """About the bot itself."""

    # i18n: the feature heading /help shows for this cog's commands
    feature = _("About the bot")

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot

    @app_commands.command(name=C_("command", "about"), description=_("What this bot is and does"))
    async def about(self, interaction: discord.Interaction[S3Bot]) -> None:
        language = interaction_language(interaction)
        embed = discord.Embed(
            title=translate(language, _("s3cop {version}"), version=package.__version__),
            description=translate(
                language,
                _(
                    "I help this community of practice meet, decide and work together: events "
                    "with RSVPs and reminders, working groups and partnerships, polls, and "
                    "support requests to the secretariat."
                ),
            ),
            colour=EMBED_COLOUR,
        )
        embed.add_field(
            name=translate(language, _("Uptime")),
            value=_uptime(time.monotonic() - self.bot.started_at),
        )
        embed.add_field(name=translate(language, _("Project")), value=PROJECT_URL)
        embed.set_footer(text=translate(language, _("Type /help to see every command.")))
        await reply(interaction, embed=embed)

    @app_commands.command(
        name=C_("command", "help"), description=_("The bot's commands by feature")
    )
    async def help(self, interaction: discord.Interaction[S3Bot]) -> None:
        language = interaction_language(interaction)
        embed = discord.Embed(
            title=translate(language, _("Commands")),
            colour=EMBED_COLOUR,
        )
        for cog in self.bot.cogs.values():
            lines = []
            for command in cog.walk_app_commands():
                if isinstance(command, app_commands.Command):
                    description = lookup(language, str(command.description)) or command.description
                    lines.append(f"`{localized_path(command, language)}` {description}")
            heading = translate(language, getattr(cog, "feature", cog.qualified_name))
            continued = translate(language, _("{feature} (continued)"), feature=heading)
            for index, value in enumerate(field_values(lines)):
                embed.add_field(name=continued if index else heading, value=value, inline=False)
        await reply(interaction, embed=embed)


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(Meta(bot))
