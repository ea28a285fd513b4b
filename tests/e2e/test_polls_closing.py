"""A poll that closes says so in its channel: one short reply to the poll message, linking its
results, whether it closed on its deadline or by hand, however often the bot restarts."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox.models import Message
from tests.e2e.events_helpers import confirmed
from tests.e2e.polls_helpers import create_poll, poll_message, vote


def closing_replies(community: LocalCommunity) -> list[Message]:
    """Replies to the poll message in its channel."""
    poll = poll_message(community)
    return [
        m
        for m in community.sandbox.messages(community.channels["announcements"])
        if m.reference is not None and m.reference["message_id"] == str(poll.id)
    ]


async def test_a_poll_closing_on_its_deadline_says_so_once(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_poll(community, question="Lunch?", options="Pizza\nSushi", closes="in 2 hours")
    await vote(community, "marco", ["Pizza"])
    assert closing_replies(community) == []
    clock.advance(timedelta(hours=3))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    await community.sandbox.wait_until(lambda: closing_replies(community))
    (reply,) = closing_replies(community)
    poll = poll_message(community)
    assert reply.type == 19 and poll.embeds[0]["title"] == "Closed: Lunch?"
    assert "Poll #1 has closed: **Lunch?**" in reply.content
    assert f"/{poll.channel_id}/{poll.id}" in reply.content  # the link to the results
    assert reply.notified() == (False, set(), set())  # a question never pings anyone
    # Restarts and a re-run of the close do not say it again.
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    await community.restart_bot()
    assert len(closing_replies(community)) == 1


async def test_a_close_after_a_long_outage_still_happens_and_is_told(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_poll(community, question="Venue?", options="Brussels\nSeville", closes="in 1 hour")
    await community.stop_bot()
    clock.advance(timedelta(days=2))  # far past the scheduler's grace window
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    await community.sandbox.wait_until(lambda: closing_replies(community))
    assert poll_message(community).embeds[0]["title"] == "Closed: Venue?"
    assert len(closing_replies(community)) == 1


async def test_a_poll_closed_by_hand_says_so_too(community: LocalCommunity) -> None:
    await create_poll(community, question="Logo?", options="Blue\nGreen")
    await confirmed(community.as_member("sofia"), "poll close", poll=1)
    await community.sandbox.wait_until(lambda: closing_replies(community))
    (reply,) = closing_replies(community)
    assert "Poll #1 has closed: **Logo?**" in reply.content


async def test_a_close_discord_failed_to_show_is_shown_by_the_action_stored_with_it(
    community: LocalCommunity, clock: FakeClock
) -> None:
    """The close is stored with an action that shows it again a minute later: when the final
    edit and the reply fail (or the bot dies before making them), they are still made, and
    the reply once."""
    await create_poll(community, question="Logo?", options="Blue\nGreen")
    faults = community.sandbox.faults
    faults.server_error("PATCH /channels/*/messages/*", status=503)  # discord.py: no retry
    faults.server_error("POST /channels/*/messages", status=503)
    await confirmed(community.as_member("sofia"), "poll close", poll=1)
    assert closing_replies(community) == []
    assert poll_message(community).embeds[0]["title"] != "Closed: Logo?"

    clock.advance(timedelta(minutes=2))
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    await community.sandbox.wait_until(lambda: closing_replies(community))
    assert poll_message(community).embeds[0]["title"] == "Closed: Logo?"
    clock.advance(timedelta(hours=1))
    await community.bot.scheduler.run_due()
    assert len(closing_replies(community)) == 1
