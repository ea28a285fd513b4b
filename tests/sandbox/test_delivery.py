"""The sandbox's delivery rules, checked against the unmodified discord.py client: message nonces
(the exactly-once guarantee rests on them) and Discord's rate limits."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import discord
import pytest

from bot.clock import FakeClock
from bot.sandbox.nonces import WINDOW
from bot.sandbox.ratelimits import INVALID_NEAR, InvalidRequestsNearBan, RateLimits
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


async def _raw(world: World, method: str, path: str, **body: object) -> aiohttp.ClientResponse:
    headers = {"Authorization": f"Bot {world.sb.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as http,
        http.request(method, world.sb.api_base + path, json=body or None) as response,
    ):
        await response.read()
        return response


async def test_route_buckets_carry_discords_headers_and_refuse_past_the_limit(
    world: World,
) -> None:
    world.sb.rate_limits.enabled = True
    path = f"/channels/{world.general.id}/messages"
    answers = [await _raw(world, "POST", path, content=f"m{n}") for n in range(6)]
    assert [a.status for a in answers] == [200] * 5 + [429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    first = answers[0].headers
    assert first["X-RateLimit-Limit"] == "5" and float(first["X-RateLimit-Reset-After"]) <= 5
    assert first["X-RateLimit-Bucket"] == answers[4].headers["X-RateLimit-Bucket"]
    refused = answers[5]
    assert refused.headers["X-RateLimit-Scope"] == "user" and "Via" in refused.headers
    assert len(world.sb.messages(world.general)) == 5
    assert world.sb.rate_limits.invalid_requests == 1  # the 429 counts towards a ban


async def test_the_global_limit_spares_interaction_endpoints(world: World) -> None:
    world.sb.rate_limits.enabled = True
    statuses = [
        (await _raw(world, "GET", f"/users/{world.alice.user.id}")).status for _ in range(51)
    ]
    assert statuses[:50] == [200] * 50 and statuses[50] == 429
    assert world.sb.rate_limits.global_limited == 1
    # Interaction callbacks are not globally limited (this token is unknown: 404, not 429).
    callback = await _raw(world, "POST", "/interactions/1/token/callback", type=1)
    assert callback.status == 404


def test_invalid_requests_near_the_ban_fail_the_test() -> None:
    clock = [0.0]
    limits = RateLimits(now=lambda: clock[0])
    for _ in range(INVALID_NEAR - 1):
        limits.answered(403)
    limits.answered(200)
    limits.check_invalid()  # under the line
    limits.answered(401)
    with pytest.raises(InvalidRequestsNearBan):
        limits.check_invalid()
    clock[0] += 601  # Discord counts 10 minutes
    limits.check_invalid()


async def test_discord_py_waits_for_a_bucket_instead_of_earning_429s(
    bot: SandboxBot, world: World
) -> None:
    world.sb.rate_limits.enabled = True
    channel = text_channel(bot, world)
    for n in range(6):  # the sixth waits for the bucket to reset (5 s)
        await channel.send(f"m{n}")
    assert len(world.sb.messages(world.general)) == 6
    assert world.sb.rate_limits.limited == 0


async def test_a_reply_names_the_message_it_answers(bot: SandboxBot, world: World) -> None:
    channel = text_channel(bot, world)
    poll = await channel.send("the poll")
    answer = await channel.send("it closed", reference=poll.to_reference(), mention_author=False)
    assert answer.type is discord.MessageType.reply
    assert answer.reference is not None and answer.reference.message_id == poll.id
    stored = world.sb.messages(world.general)[-1]
    assert stored.type == 19 and stored.reference == {
        "message_id": str(poll.id),
        "channel_id": str(channel.id),
        "guild_id": str(channel.guild.id),
    }
    await poll.delete()
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("too late", reference=poll.to_reference())
    assert refused.value.status == 400 and refused.value.code == 50035
    # fail_if_not_exists=False: Discord sends it as a plain message instead.
    plain = await channel.send("anyway", reference=poll.to_reference(fail_if_not_exists=False))
    assert plain.type is discord.MessageType.default and plain.reference is None
