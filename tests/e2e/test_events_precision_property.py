"""Issue 13's property: whatever start an organiser types (with random seconds and
microseconds, in any accepted form, one-off or series, in any zone), the event works end to end:
answers are accepted, reminders and "starting now" run, an occurrence can be edited and
cancelled, and the calendar file and Discord's native event show what the announcement shows.

Each example runs a whole community (sandbox and bot), so the fast profile runs a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community
from cogs.events._queries import schedule_from
from db import events
from tests.conftest import examples
from tests.e2e.events_helpers import announcement, confirmed, create_event, fields

ZONES = (
    "Europe/Helsinki",
    "Europe/Brussels",
    "Europe/Lisbon",
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # a 30-minute clock change
    "UTC",
)
# Hours before the 2027 clock changes (Europe, Lord Howe, New York), and an ordinary day.
BASES = (
    datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
    datetime(2027, 3, 27, 22, 0, tzinfo=UTC),
    datetime(2027, 10, 30, 22, 0, tzinfo=UTC),
    datetime(2027, 4, 3, 12, 0, tzinfo=UTC),
    datetime(2027, 11, 7, 3, 0, tzinfo=UTC),
)
FORMS = ("discord", "iso_offset", "iso_z", "iso_local", "relative", "finnish")


@dataclass(frozen=True)
class Case:
    now: datetime
    zone: ZoneInfo
    typed: str
    expected: datetime  # the start the bot must use: the reading, cut to the minute
    had_seconds: bool
    repeat: str | None


@st.composite
def cases(draw: st.DrawFn) -> Case:
    base = draw(st.sampled_from(BASES))
    now = base + timedelta(
        seconds=draw(st.integers(0, 3600)), microseconds=draw(st.integers(0, 999_999))
    )
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    ahead = timedelta(
        minutes=draw(st.one_of(st.integers(121, 600), st.integers(121, 60 * 24 * 10))),
        seconds=draw(st.integers(0, 59)),
        microseconds=draw(st.integers(0, 999_999)),
    )
    start = now + ahead
    local = start.astimezone(zone)
    form = draw(st.sampled_from(FORMS))
    if form == "discord":
        suffix = draw(st.sampled_from(["", ":F", ":f", ":t", ":T", ":D", ":R"]))
        typed, exact = f"<t:{int(start.timestamp())}{suffix}>", start.replace(microsecond=0)
    elif form == "iso_offset":
        typed, exact = local.isoformat(), start
    elif form == "iso_z":
        typed, exact = start.strftime("%Y-%m-%dT%H:%M:%SZ"), start.replace(microsecond=0)
    elif form == "iso_local":
        wall = local.replace(tzinfo=None, microsecond=0, fold=0)  # a wall time names the first
        typed, exact = wall.isoformat(sep=" "), wall.replace(tzinfo=zone)  # fold=0: the first
    elif form == "relative":
        minutes = int(ahead.total_seconds() // 60)
        typed = f"in {minutes} minutes"
        exact = now.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    else:
        wall = local.replace(tzinfo=None, fold=0)
        typed = f"{wall.day}.{wall.month}.{wall.year} klo {wall.hour}.{wall.minute:02d}"
        exact = wall.replace(second=0, microsecond=0, tzinfo=zone)
    exact = exact.astimezone(UTC)
    return Case(
        now=now,
        zone=zone,
        typed=typed,
        expected=exact.replace(second=0, microsecond=0),
        had_seconds=exact.second != 0 or exact.microsecond != 0,
        repeat=draw(st.sampled_from([None, "weekly", "daily count 5", "RRULE:FREQ=WEEKLY"])),
    )


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


async def bot_starts(community: LocalCommunity) -> list[datetime]:
    """The event's starts as stored (read through the repository and the rules)."""
    assert community.db is not None
    record = await community.db.read(events.get, guild_id=community.guild.id, event_id=1)
    assert record is not None
    schedule, overrides = schedule_from(record, await community.db.read(events.overrides, 1))
    return [o.start for o in schedule.occurrences(overrides) if not o.cancelled]


async def calendar_starts(community: LocalCommunity) -> list[datetime]:
    result = await community.as_member("aino").slash("event ics", event=1)
    data = result.message.attachments[0].data  # type: ignore[union-attr]
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
        (2026, 1, 1), (2029, 1, 1)
    )
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)


async def shown_everywhere(community: LocalCommunity, start: datetime) -> None:
    """The announcement, the native event and the calendar file all say ``start``."""
    assert f"<t:{stamp(start)}:F>" in fields(announcement(community))["When"]
    # The mirror is updated after the organiser's answer: wait (bounded) for it to agree.
    await community.sandbox.wait_until(
        lambda: any(
            e.scheduled_start_time == start and e.active
            for e in community.sandbox.scheduled_events(community.guild)
        )
    )
    assert start in await calendar_starts(community)


@settings(max_examples=examples(fast=6, fuzz=300))
@given(case=cases())
async def test_any_start_gives_a_working_event(case: Case) -> None:
    clock = FakeClock(case.now)
    events = {"announcement_refresh_seconds": 0}
    async with local_community(clock=clock, events=events) as community:
        created = await create_event(
            community,
            start=case.typed,
            timezone=case.zone.key,
            reminders="1h",
            repeat=case.repeat,
        )
        local = case.expected.astimezone(case.zone)
        if case.repeat and local.replace(fold=0).astimezone(UTC) != case.expected:
            # the second pass of a repeated hour: a series (on the wall clock) is refused
            assert "clocks turn back" in created.content, created.content
            return
        assert "is announced" in created.content, (case, created.content)
        assert f"<t:{stamp(case.expected)}:F>" in created.content, (case, created.content)
        assert ("rounded down" in created.content) == case.had_seconds
        starts = await bot_starts(community)
        assert starts[0] == case.expected and all(s.second == 0 for s in starts)
        await shown_everywhere(community, case.expected)

        answer = await community.as_member("aino").click(announcement(community), "Going")
        assert f"<t:{stamp(case.expected)}:f>" in answer.content, answer.content

        sofia = community.as_member("sofia")
        keys = [
            c["value"] for c in await sofia.autocomplete("event edit", "occurrence", "", event=1)
        ]
        assert keys[0] == str(stamp(case.expected))
        if case.repeat:
            moved = starts[1] + timedelta(minutes=30)
            typed = (moved + timedelta(seconds=29)).astimezone(case.zone).isoformat()
            edited = await sofia.slash("event edit", event=1, occurrence=keys[1], start=typed)
            assert "updated" in edited.content, edited.content
            cancelled = await confirmed(sofia, "event cancel", event=1, occurrence=keys[2])
            assert "Cancelled" in cancelled.content, cancelled.content
            after = await bot_starts(community)
            assert after[:2] == [case.expected, moved] and starts[2] not in after
        else:
            edited = await sofia.slash("event edit", event=1, occurrence=keys[0], duration="90m")
            assert "updated" in edited.content, edited.content
        await shown_everywhere(community, case.expected)

        clock.set(case.expected - timedelta(hours=1))
        await community.bot.scheduler.run_due()  # type: ignore[union-attr]
        reminders = [
            m.content
            for m in community.sandbox.dms(community.members["aino"])
            if m.content.startswith("⏰")
        ]
        assert len(reminders) == 1 and f"<t:{stamp(case.expected)}:F>" in reminders[0]

        clock.set(case.expected)
        await community.bot.scheduler.run_due()  # type: ignore[union-attr]
        channel = community.sandbox.messages(community.channels["events"])
        assert any("is starting now" in m.content for m in channel)
        assert community.db is not None
        broken = await community.db.fetchone(
            "SELECT count(*) FROM scheduled_actions WHERE status IN ('failed', 'missed')"
        )
        assert broken is not None and broken[0] == 0
        if case.repeat:
            await shown_everywhere(community, moved)
        else:
            gone = await confirmed(sofia, "event cancel", event=1, occurrence=keys[0])
            assert "Cancelled" in gone.content, gone.content
