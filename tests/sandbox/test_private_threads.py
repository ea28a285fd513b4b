"""Private threads as Discord runs them: who sees them, the events the bot gets, members'
files the bot can copy, and what is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from bot.sandbox import permissions as perm
from bot.sandbox.driver import SandboxUsageError
from bot.sandbox.models import PRIVATE_THREAD
from tests.sandbox.conftest import SandboxBot, World, connected


@pytest.fixture
async def reader(world: World) -> AsyncIterator[SandboxBot]:
    """A bot that asked for the message content intent."""
    async with connected(world.sb, world.guild.id, message_content=True) as client:
        yield client


async def _private_thread(client: SandboxBot, world: World) -> discord.Thread:
    guild = client.get_guild(world.guild.id)
    assert guild is not None
    channel = guild.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.create_thread(
        name="#1 Lapland: S3 review", type=discord.ChannelType.private_thread, invitable=False
    )


async def test_private_thread_is_seen_by_its_members_and_moderators_only(
    bot: SandboxBot, world: World
) -> None:
    sb = world.sb
    carol = sb.add_member(world.guild, "carol", roles=[world.helper])
    sb.set_overwrite(world.general, world.helper, allow=perm.MANAGE_THREADS)
    thread = await _private_thread(bot, world)
    assert thread.type == discord.ChannelType.private_thread and not thread.invitable
    cached = thread.guild.get_thread(thread.id)  # THREAD_CREATE reached the cache
    assert cached is not None
    await thread.add_user(discord.Object(world.alice.user.id))
    await sb.wait_until(lambda: any(m.id == world.alice.user.id for m in cached.members))
    await thread.send("Welcome")
    [stored] = sb.threads(world.general)
    assert stored.type == PRIVATE_THREAD
    alice, bob, moderator = (sb.as_member(m) for m in (world.alice, world.bob, carol))
    assert alice.can_see(stored) and [m.content for m in alice.read(stored)] == ["Welcome"]
    assert moderator.can_see(stored)  # Manage Threads in the parent shows every private thread
    assert not bob.can_see(stored) and bob.can_see(world.general)
    with pytest.raises(SandboxUsageError, match="cannot see"):
        bob.read(stored)
    with pytest.raises(SandboxUsageError):
        bob.say("let me in", stored)


async def test_members_files_in_a_thread_can_be_copied_with_the_content_intent(
    reader: SandboxBot, world: World
) -> None:
    sb = world.sb
    thread = await _private_thread(reader, world)
    await thread.add_user(discord.Object(world.alice.user.id))
    [stored] = sb.threads(world.general)
    posted = sb.as_member(world.alice).say("our plan", stored, files=[("plan.pdf", b"%PDF plan")])
    history = [m async for m in thread.history(limit=10)]
    assert [m.id for m in history] == [posted.id]
    [message] = history
    assert message.content == "our plan"
    assert [a.filename for a in message.attachments] == ["plan.pdf"]
    assert await message.attachments[0].read() == b"%PDF plan"


async def test_without_the_content_intent_rest_reads_are_blank_too(
    bot: SandboxBot, world: World
) -> None:
    thread = await _private_thread(bot, world)
    await thread.add_user(discord.Object(world.alice.user.id))
    [stored] = world.sb.threads(world.general)
    world.sb.as_member(world.alice).say("secret", stored, files=[("a.txt", b"a")])
    [message] = [m async for m in thread.history(limit=10)]
    assert (message.content, message.attachments) == ("", [])


async def test_deleted_thread_leaves_the_cache_and_archived_threads_take_no_members(
    bot: SandboxBot, world: World
) -> None:
    sb = world.sb
    thread = await _private_thread(bot, world)
    await thread.edit(archived=True)
    with pytest.raises(discord.HTTPException) as caught:
        await thread.add_user(discord.Object(world.alice.user.id))
    assert caught.value.code == 50083
    [stored] = sb.threads(world.general)
    sb.delete_channel(stored)
    await sb.wait_until(lambda: thread.guild.get_thread(thread.id) is None)
    with pytest.raises(discord.NotFound):
        await thread.send("anyone?")


async def test_private_threads_need_create_private_threads(bot: SandboxBot, world: World) -> None:
    world.sb.set_overwrite(world.general, world.sb.bot_user, deny=perm.CREATE_PRIVATE_THREADS)
    with pytest.raises(discord.Forbidden):
        await _private_thread(bot, world)
    assert world.sb.threads(world.general) == []


async def test_a_lost_answer_means_the_change_was_made(bot: SandboxBot, world: World) -> None:
    """discord.py retries a 500 by itself: the thread is made twice, as on Discord."""
    world.sb.faults.lost_answer("POST /channels/*/threads")
    thread = await _private_thread(bot, world)
    made = world.sb.threads(world.general)
    assert len(made) == 2 and made[-1].id == thread.id
