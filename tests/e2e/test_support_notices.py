"""Support's DMs to the requester are notices (bot/notices.py): stored in the transaction that
makes the change, sent once by the scheduler. A bot that goes away right after the commit sends
the DM when it is back, once; a change that fails stores no DM. What the thread says about a
change is stored with it too, and said again (once in all) when it could not be said at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.support_helpers import ask_and_read, card_fields, cards, dm_texts, threads


async def notices_about(community: LocalCommunity, request_id: int, about: str) -> int:
    assert community.db is not None
    row = await community.db.fetchone(
        "SELECT count(*) FROM scheduled_actions WHERE kind = 'notice' AND dedupe_key LIKE ?",
        (f"notice:support:{request_id}:{about}:%",),
    )
    assert row is not None
    return int(row[0])


async def test_a_claims_dm_stored_before_the_bot_went_away_arrives_once_after_restart(
    community: LocalCommunity, clock: FakeClock
) -> None:
    sb = community.sandbox
    await ask_and_read(community)
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 1)  # "is open"
    assert community.bot is not None
    # The bot goes away right after its next commit: nothing it planned is sent any more.
    await community.bot.scheduler.stop()
    claimed = await community.as_member("sofia").click(cards(community)[0], "Claim")
    assert "You are handling request #1" in claimed.content
    await asyncio.sleep(0.2)  # a direct DM would have gone by now
    assert len(dm_texts(community, "aino")) == 1
    assert await notices_about(community, 1, "claim") == 1  # stored with the claim

    await community.restart_bot()
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 2)
    assert "hoitaa nyt pyyntöä #1" in dm_texts(community, "aino")[-1]  # her request's language
    clock.advance(timedelta(hours=1))
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    assert len(dm_texts(community, "aino")) == 2  # once


# Where the claim's write fails: the change itself (its history row), or the notice stored in
# it. Either way the whole write is undone: no claim, no DM.
FAILURES = {
    "the change": "BEFORE INSERT ON support_history WHEN NEW.action = 'claim'",
    "its notice": (
        "AFTER INSERT ON scheduled_actions WHEN NEW.kind = 'notice' "
        "AND NEW.dedupe_key LIKE 'notice:support:%:claim:%'"
    ),
}


@pytest.mark.parametrize("where", FAILURES)
async def test_a_claim_whose_write_fails_stores_no_notice_and_sends_no_dm(
    community: LocalCommunity, where: str
) -> None:
    sb = community.sandbox
    await ask_and_read(community)
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 1)
    assert community.db is not None
    await community.db.execute(
        f"CREATE TRIGGER failing_claim {FAILURES[where]} "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    claimed = await community.as_member("sofia").click(cards(community)[0], "Claim")
    assert "You are handling" not in claimed.content  # the member reads the apology
    assert await notices_about(community, 1, "claim") == 0
    row = await community.db.fetchone("SELECT status FROM support_requests WHERE id = 1")
    assert row is not None and row[0] == "new"
    await asyncio.sleep(0.2)
    assert len(dm_texts(community, "aino")) == 1
    assert card_fields(cards(community)[0])["Status"] == "New"


async def test_a_claim_the_thread_missed_is_said_there_by_the_action_stored_with_it(
    community: LocalCommunity, clock: FakeClock
) -> None:
    sb = community.sandbox
    await ask_and_read(community)
    [thread] = threads(community)
    aino = community.as_member("aino")

    def claim_lines() -> list[str]:
        return [m.content for m in aino.read(thread) if "hoitaa nyt pyyntöä #1" in m.content]

    # Discord fails the thread's post at the claim (discord.py does not retry a 503), as a bot
    # gone right after the commit would never make it.
    sb.faults.server_error(f"POST /channels/{thread.id}/messages", status=503)
    claimed = await community.as_member("sofia").click(cards(community)[0], "Claim")
    assert "You are handling request #1" in claimed.content
    await sb.wait_until(lambda: card_fields(cards(community)[0])["Status"].startswith("Claimed"))
    assert claim_lines() == []

    clock.advance(timedelta(minutes=2))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    await sb.wait_until(claim_lines)
    clock.advance(timedelta(hours=1))
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    assert len(claim_lines()) == 1
