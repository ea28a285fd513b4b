"""Notices to members (bot/notices.py) under a fault discord.py does not retry.

discord.py 2.7 retries a 500, 502, 504 or 524 itself (discord/http.py), but raises on a 503 at
once. A notice's DM that meets one is not lost: the scheduler tries the notice again later, and
the members already told are not told twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event


async def notice_attempts(community: LocalCommunity) -> list[tuple[str, int]]:
    assert community.db is not None
    rows = await community.db.fetchall(
        "SELECT status, attempts FROM scheduled_actions WHERE kind = 'notice' ORDER BY id"
    )
    return [(row[0], row[1]) for row in rows]


async def test_a_503_on_a_notice_dm_is_sent_on_the_schedulers_retry_and_once(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community, capacity=1, start="in 3 days")
    aino, marco = community.as_member("aino"), community.as_member("marco")
    await aino.click(announcement(community), "Going")
    await marco.click(announcement(community), "Going")  # the waitlist

    community.sandbox.faults.server_error("POST /channels/*/messages", status=503)
    left = await aino.click(announcement(community), "Can't go")  # Marco moves up
    assert not left.failed
    for _ in range(500):  # bounded: the notice's first try meets the 503 and is put off
        if await notice_attempts(community) == [("pending", 1)]:
            break
        await asyncio.sleep(0.01)
    assert await notice_attempts(community) == [("pending", 1)]
    assert community.sandbox.dms(community.members["marco"]) == []

    clock.advance(timedelta(minutes=2))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    [told] = community.sandbox.dms(community.members["marco"])
    assert "**Kick-off**" in told.content
    assert await notice_attempts(community) == [("done", 1)]
    clock.advance(timedelta(hours=1))
    await community.bot.scheduler.run_due()
    assert len(community.sandbox.dms(community.members["marco"])) == 1
