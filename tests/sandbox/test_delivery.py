"""The sandbox's delivery rules, checked against the unmodified discord.py client: message nonces
(the exactly-once guarantee rests on them)."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.clock import FakeClock
from bot.sandbox.nonces import WINDOW
from tests.sandbox.conftest import SandboxBot, World
from tests.sandbox.test_sandbox import text_channel


async def test_a_repeated_nonce_returns_the_first_message(bot: SandboxBot, world: World) -> None:
    clock = FakeClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    world.sb.backend.clock = clock
    channel = text_channel(bot, world)
    first = await channel.send("reminder", nonce="event-1-remind")
    again = await channel.send("reminder", nonce="event-1-remind")
    other = await channel.send("another", nonce="event-2-remind")
    assert again.id == first.id and other.id != first.id
    assert [m.content for m in world.sb.messages(world.general)] == ["reminder", "another"]

    clock.advance(WINDOW + WINDOW / 10)  # Discord forgets a nonce after a few minutes
    late = await channel.send("reminder", nonce="event-1-remind")
    assert late.id != first.id
    assert len(world.sb.messages(world.general)) == 3


async def test_a_nonce_without_enforce_nonce_creates_messages(
    bot: SandboxBot, world: World
) -> None:
    channel = text_channel(bot, world)
    state = bot._connection
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    for _ in range(2):
        await state.http.request(route, json={"content": "hi", "nonce": "same"})
    assert len(world.sb.messages(world.general)) == 2


@pytest.mark.parametrize("nonce", ["x" * 26, 1.5, True])
async def test_a_bad_nonce_is_refused(bot: SandboxBot, world: World, nonce: object) -> None:
    channel = text_channel(bot, world)
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.request(route, json={"content": "hi", "nonce": nonce})
    assert caught.value.code == 50035 and "nonce" in str(caught.value.text)
    assert world.sb.messages(world.general) == []
