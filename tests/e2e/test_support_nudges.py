"""Nobody is forgotten: nudges in business hours (Brussels, Belgian public holidays), sent once
across restarts, and stopped by a claim or an answer."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.support_helpers import ask_and_read, cards, stored_when, threads, triage_lines


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def unclaimed_nudges(community: LocalCommunity) -> list[str]:
    return [line for line in triage_lines(community) if "with nobody on it" in line]


async def at(community: LocalCommunity, clock: FakeClock, moment: datetime) -> None:
    """Move the clock and run what fell due, as the bot's timer would."""
    clock.set(moment)
    assert community.bot is not None
    await community.bot.scheduler.run_due()


async def test_unclaimed_nudge_skips_christmas_and_the_weekend_survives_restarts_and_stops_at_claim(
    community: LocalCommunity, clock: FakeClock
) -> None:
    # Thursday 24 December, 15:00 in Brussels: two business hours left that day; Friday is
    # Christmas (a Belgian public holiday), then the weekend. Four business hours after the
    # request is Monday 28 December 11:00 Brussels, 10:00 UTC.
    clock.set(utc(12, 24, 14))
    await ask_and_read(community)
    await at(community, clock, utc(12, 24, 16, 30))  # after hours
    await at(community, clock, utc(12, 25, 12))  # Christmas
    await community.restart_bot()
    await at(community, clock, utc(12, 27, 12))  # Sunday
    await at(community, clock, utc(12, 28, 9, 59))
    assert unclaimed_nudges(community) == []

    await at(community, clock, utc(12, 28, 10, 1))
    [nudge] = unclaimed_nudges(community)
    assert "Request #1" in nudge and "Lapland" in nudge
    await community.restart_bot()  # restarted after the nudge: it is not sent again
    await at(community, clock, utc(12, 28, 10, 5))
    assert len(unclaimed_nudges(community)) == 1

    await at(community, clock, utc(12, 28, 12))
    [card] = cards(community)
    await community.as_member("sofia").click(card, "Claim")
    # The next unclaimed nudge would have been Tuesday 10:00 UTC; claimed, none comes.
    await at(community, clock, utc(12, 29, 10, 1))
    assert len(unclaimed_nudges(community)) == 1


async def test_claimed_request_nudges_the_claimer_then_the_secretariat_until_staff_answer(
    community: LocalCommunity, clock: FakeClock
) -> None:
    clock.set(utc(12, 28, 8))  # Monday 09:00 Brussels
    await ask_and_read(community)
    [card] = cards(community)
    sofia = community.as_member("sofia")
    await sofia.click(card, "Claim")  # awaiting the secretariat since Monday 09:00 Brussels
    [notes] = community.sandbox.threads(community.channels["support-triage"])

    def claimer_nudges() -> list[str]:
        return [m.content for m in community.sandbox.messages(notes) if "has waited" in m.content]

    def secretariat_nudges() -> list[str]:
        return [line for line in triage_lines(community) if "still waits" in line]

    # 16 business hours: Monday and Tuesday in full, to Tuesday 17:00 Brussels (16:00 UTC).
    await at(community, clock, utc(12, 29, 15, 59))
    assert claimer_nudges() == []
    await at(community, clock, utc(12, 29, 16, 1))
    [to_claimer] = claimer_nudges()
    assert to_claimer.startswith(f"<@{sofia.user.id}>")
    # Since an instant (read later, "since 20 hours ago" would no longer be true).
    assert to_claimer.endswith(f"since <t:{int(utc(12, 28, 8).timestamp())}:f>.")
    assert any("has waited" in dm.content for dm in community.sandbox.dms(sofia.member))
    # Then the whole secretariat, 8 business hours later: Wednesday 17:00 Brussels.
    await community.restart_bot()
    await at(community, clock, utc(12, 30, 15, 59))
    assert secretariat_nudges() == []
    await at(community, clock, utc(12, 30, 16, 1))
    [to_all] = secretariat_nudges()
    assert to_all.startswith(f"<@&{community.roles['Secretariat'].id}>")
    assert len(claimer_nudges()) == 1

    # Staff answer in the thread: the requester is no longer waiting, the nudges stop.
    [thread] = threads(community)
    sofia.say("We are on it: an expert will call you.", thread)
    await stored_when(community, 1, lambda r: r.awaiting_staff_since is None)
    await at(community, clock, utc(12, 31, 16, 1))
    await at(community, clock, utc(1, 4, 16, 1, year=2027))  # Friday 1 January is a holiday
    assert len(secretariat_nudges()) == 1 and len(claimer_nudges()) == 1


async def test_a_resolved_request_nudges_nobody(
    community: LocalCommunity, clock: FakeClock
) -> None:
    clock.set(utc(12, 28, 8))  # Monday 09:00 Brussels; the first nudge would be at 13:00
    await ask_and_read(community)
    form = await community.as_member("sofia").click(cards(community)[0], "Resolve")
    await (await form.submit_modal({"outcome": "Answered at once."})).wait_followup()
    await at(community, clock, utc(12, 28, 12, 1))
    await at(community, clock, utc(12, 29, 12, 1))
    assert unclaimed_nudges(community) == []
    assert not [line for line in triage_lines(community) if "still waits" in line]
