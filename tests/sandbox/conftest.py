"""A sandbox with one guild and a minimal bot that exercises every kind of interaction.

The bot here is deliberately not s3cop: these tests check the sandbox against the unmodified
discord.py client, so the sandbox can be trusted by the feature tests that drive s3cop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.discord_urls import point_discord_at
from bot.sandbox.models import CATEGORY, VOICE, Channel, Guild, Member, Role
from bot.sandbox.server import Sandbox


class VoteView(discord.ui.View):
    """A button that edits its message and a select that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Yes", custom_id="vote:yes", style=discord.ButtonStyle.green)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} voted yes")

    @discord.ui.select(
        custom_id="vote:colour",
        placeholder="Colour",
        options=[
            discord.SelectOption(label="Red", value="r"),
            discord.SelectOption(label="Blue", value="b"),
        ],
    )
    async def colour(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {select.values}", ephemeral=True)


class Feedback(discord.ui.Modal, title="Feedback"):
    """A one-field modal."""

    text: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class SandboxBot(commands.Bot):
    """The test bot: syncs its commands to the test guild at start-up."""

    def __init__(self, guild_id: int, *, message_content: bool = False) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = message_content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            guild_ready_timeout=0.05,
            help_command=None,
        )
        self.guild_id = guild_id
        self.failures: list[Exception] = []
        add_commands(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying (a documented, overridable hook)."""

    async def setup_hook(self) -> None:
        self.add_view(VoteView())
        await self.tree.sync(guild=discord.Object(self.guild_id))


def add_commands(bot: SandboxBot) -> None:
    """The commands the sandbox tests use."""
    guild = discord.Object(bot.guild_id)
    tree = bot.tree

    @tree.command(guild=guild, description="Answer pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(guild=guild, description="Only you see this")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"hi {interaction.locale.value}", ephemeral=True)

    @tree.command(guild=guild, description="Vote")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Vote now", view=VoteView())

    @tree.command(guild=guild, description="Give feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @tree.command(guild=guild, description="Think, then answer")
    async def slow(interaction: discord.Interaction, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)
        try:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done")
        except discord.HTTPException as exc:
            bot.failures.append(exc)

    @tree.command(guild=guild, description="Answer twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one")
        try:
            await interaction.response.send_message("two")
        except discord.InteractionResponded:
            # discord.py guards itself; go around it the way a buggy bot would.
            try:
                await interaction.response._parent._state.http.request(
                    discord.http.Route(
                        "POST",
                        "/interactions/{interaction_id}/{token}/callback",
                        interaction_id=interaction.id,
                        token=interaction.token,
                    ),
                    json={"type": 4, "data": {"content": "two"}},
                )
            except discord.HTTPException as exc:
                bot.failures.append(exc)

    event = app_commands.Group(name="event", description="Events")

    @event.command(name="create", description="Create an event")
    @app_commands.describe(title="What", seats="How many", where="Channel", host="Who")
    async def event_create(
        interaction: discord.Interaction,
        title: str,
        seats: app_commands.Range[int, 1, 100],
        where: discord.TextChannel,
        host: discord.Member,
    ) -> None:
        await interaction.response.send_message(
            f"{title}|{seats}|{where.name}|{host.display_name}|{type(host).__name__}"
        )

    @event.command(name="info", description="Show an event")
    async def event_info(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"info {name}")

    @event_info.autocomplete("name")
    async def event_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["Kickoff", "Kick-out", "Retro"]
        return [
            app_commands.Choice(name=n, value=n.lower())
            for n in names
            if n.lower().startswith(current.lower())
        ]

    roles = app_commands.Group(name="role", description="Roles", parent=None)
    admin = app_commands.Group(name="admin", description="Admin")
    admin.add_command(roles)

    @roles.command(name="give", description="Give a role")
    async def role_give(
        interaction: discord.Interaction, member: discord.Member, role: discord.Role
    ) -> None:
        await member.add_roles(role)
        # The resolved member is a snapshot; the cache holds the updated one.
        cached = interaction.guild.get_member(member.id) if interaction.guild else None
        await interaction.response.send_message(
            f"{[r.name for r in cached.roles] if cached else []}"
        )

    tree.add_command(event, guild=guild)
    tree.add_command(admin, guild=guild)


@dataclass
class World:
    """The guild the tests act in."""

    sb: Sandbox
    guild: Guild
    general: Channel
    hidden: Channel
    alice: Member
    bob: Member
    helper: Role


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sb:
        yield sb


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    guild = sandbox.add_guild("Community", locale="fi")
    helper = sandbox.add_role(guild, "helper")
    alice = sandbox.add_member(guild, "alice", locale="fi")
    bob = sandbox.add_member(guild, "bob", dms_open=False)
    general = next(iter(guild.channels.values()))
    hidden = sandbox.add_channel(guild, "staff", overwrites={guild.roles[guild.id]: (0, 1 << 10)})
    lounge = sandbox.add_channel(guild, "Lounge", type=CATEGORY)
    sandbox.add_channel(guild, "voice", type=VOICE, parent=lounge)
    return World(sandbox, guild, general, hidden, alice, bob, helper)


@contextlib.asynccontextmanager
async def connected(
    sandbox: Sandbox, guild_id: int, *, message_content: bool = False
) -> AsyncIterator[SandboxBot]:
    """The test bot logged in to the sandbox and ready, closed afterwards."""
    point_discord_at(sandbox.api_base, sandbox.gateway_url)
    client = SandboxBot(guild_id, message_content=message_content)
    await client.login(sandbox.token)
    task = asyncio.create_task(client.connect(reconnect=True))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 5)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 2)


@pytest.fixture
async def bot(sandbox: Sandbox, world: World) -> AsyncIterator[SandboxBot]:
    async with connected(sandbox, world.guild.id) as client:
        yield client
