"""Roles, channels, categories and overwrites as Discord handles them, checked with the unmodified
discord.py client: gateway events, who sees what, changes by hand, and Discord's ceilings."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.sandbox import permissions as perm
from bot.sandbox.driver import SandboxUsageError
from bot.sandbox.models import CATEGORY
from tests.sandbox.conftest import SandboxBot, World


def guild_of(bot: SandboxBot, world: World) -> discord.Guild:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    return guild


async def private_group(
    guild: discord.Guild, name: str
) -> tuple[discord.Role, discord.TextChannel]:
    """A role and a channel only its holders (and the bot) see, the way s3cop makes them."""
    role = await guild.create_role(name=name)
    channel = await guild.create_text_channel(
        name,
        overwrites={
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            role: discord.PermissionOverwrite(view_channel=True, send_messages=True),
            guild.me: discord.PermissionOverwrite(view_channel=True, send_messages=True),
        },
    )
    return role, channel


async def test_private_channel_follows_the_role_given_and_taken_by_hand(
    bot: SandboxBot, world: World
) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    assert guild.self_role is not None and guild.self_role.is_bot_managed()
    role, channel = await private_group(guild, "energy")
    assert guild.get_role(role.id) is not None and guild.get_channel(channel.id) is not None
    await channel.send("welcome")
    hidden = sb.backend.channels[channel.id]
    alice = sb.as_member(world.alice)
    assert hidden not in sb.visible_channels(world.alice)
    with pytest.raises(SandboxUsageError, match="cannot see"):
        alice.read(hidden)

    updated = asyncio.create_task(bot.wait_for("member_update", timeout=5))
    sb.give_role(world.alice, sb.backend.guilds[guild.id].roles[role.id])
    before, after = await updated
    assert role not in before.roles and role in after.roles
    assert [m.content for m in alice.read(hidden)] == ["welcome"]

    updated = asyncio.create_task(bot.wait_for("member_update", timeout=5))
    sb.take_role(world.alice, sb.backend.guilds[guild.id].roles[role.id])
    _, after = await updated
    assert role not in after.roles
    assert hidden not in sb.visible_channels(world.alice)


async def test_the_bot_cannot_send_where_overwrites_deny_it(bot: SandboxBot, world: World) -> None:
    guild = guild_of(bot, world)
    channel = await guild.create_text_channel(
        "closed", overwrites={guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("hello")
    assert caught.value.code == 50013
    unseen = await guild.create_text_channel(
        "unseen", overwrites={guild.me: discord.PermissionOverwrite(view_channel=False)}
    )
    with pytest.raises(discord.Forbidden) as caught:
        await unseen.send("hello")
    assert caught.value.code == 50001
    with pytest.raises(discord.Forbidden):
        await anext(unseen.history(limit=1))


async def test_roles_move_and_the_bot_cannot_touch_roles_above_its_own(
    bot: SandboxBot, world: World
) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    low = await guild.create_role(name="low")
    high = await guild.create_role(name="high")
    await high.edit(position=low.position + 1)
    assert guild.get_role(high.id).position > guild.get_role(low.id).position  # type: ignore[union-attr]
    with pytest.raises(discord.Forbidden):
        await low.edit(position=guild.me.top_role.position + 1)
    # An admin puts a role above the bot's: Discord refuses every change to it.
    above = sb.add_role(world.guild, "boss")
    sb.move_role(above, sb.backend.bot_role(world.guild).position + 1)
    assert above.position > sb.backend.bot_role(world.guild).position
    boss = await sb.wait_until(lambda: guild.get_role(above.id))
    await sb.wait_until(lambda: boss.position > guild.me.top_role.position)
    alice = guild.get_member(world.alice.user.id)
    assert alice is not None
    for attempt in (alice.add_roles(boss), boss.edit(name="x"), boss.delete()):
        with pytest.raises(discord.Forbidden) as caught:
            await attempt
        assert caught.value.code == 50013


async def test_channels_move_between_categories_with_their_events(
    bot: SandboxBot, world: World
) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    first = await guild.create_category("Partnerships")
    second = await guild.create_category("Archive")
    channel = await guild.create_text_channel("energy", category=first)
    updated = asyncio.create_task(bot.wait_for("guild_channel_update", timeout=5))
    await channel.edit(category=second)
    _, after = await updated
    assert after.category_id == second.id
    await channel.move(category=first, beginning=True, sync_permissions=True)
    assert guild.get_channel(channel.id).category_id == first.id  # type: ignore[union-attr]

    deleted = asyncio.create_task(bot.wait_for("guild_channel_delete", timeout=5))
    sb.delete_channel(sb.backend.channels[first.id])
    assert (await deleted).id == first.id
    await sb.wait_until(lambda: guild.get_channel(channel.id).category_id is None)  # type: ignore[union-attr]

    role = await guild.create_role(name="gone")
    gone = asyncio.create_task(bot.wait_for("guild_role_delete", timeout=5))
    sb.delete_role(sb.backend.guilds[guild.id].roles[role.id])
    assert (await gone).id == role.id and guild.get_role(role.id) is None


async def test_a_category_holds_50_channels(bot: SandboxBot, world: World) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    full = await guild.create_category("Full")
    model = sb.backend.channels[full.id]
    for i in range(50):
        sb.add_channel(world.guild, f"c{i}", parent=model)
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_text_channel("one-more", category=full)
    assert caught.value.code == 50035
    assert "Maximum number of channels in category reached (50)" in str(caught.value)
    outside = await guild.create_text_channel("outside")
    with pytest.raises(discord.HTTPException) as caught:
        await outside.edit(category=full)
    assert caught.value.code == 50035
    assert sum(1 for c in sb.backend.channels.values() if c.parent_id == full.id) == 50
    assert model.type == CATEGORY


async def test_a_guild_holds_250_roles_and_500_channels(bot: SandboxBot, world: World) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    model = sb.backend.guilds[guild.id]
    while len(model.roles) < 250:
        sb.add_role(model, f"r{len(model.roles)}")
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_role(name="one-more")
    assert (caught.value.status, caught.value.code) == (400, 30005)
    while sum(1 for c in model.channels.values() if not c.is_thread) < 500:
        sb.add_channel(model, f"c{len(model.channels)}")
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_text_channel("one-more")
    assert (caught.value.status, caught.value.code) == (400, 30013)


async def test_overwrites_need_manage_roles(bot: SandboxBot, world: World) -> None:
    sb, guild = world.sb, guild_of(bot, world)
    channel = await guild.create_text_channel("plain")
    sb.set_bot_permissions(world.guild, perm.BOT_DEFAULT & ~perm.MANAGE_ROLES)
    with pytest.raises(discord.Forbidden):
        await channel.set_permissions(guild.default_role, view_channel=False)
