"""Recurring events: a weekly Helsinki meeting across both DST changes, editing and cancelling
one occurrence, the .ics file and the subscribable feed, checked with an independent library."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import recurring_ical_events

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community
from cogs.events._rules import Override, Schedule
from db import events
from tests.e2e.events_helpers import announcement, confirmed, create_event, dm_containing, fields

HELSINKI = ZoneInfo("Europe/Helsinki")


async def create_weekly(community: LocalCommunity) -> None:
    result = await create_event(
        community,
        title="Industrial transition WG",
        start="2027-03-16 10:00",
        timezone="Europe/Helsinki",
        repeat="weekly on tuesday count 34",
        duration="90m",
    )
    assert "Event #1 is announced" in result.content, result.content


async def bot_occurrences(community: LocalCommunity) -> list[datetime]:
    """The series' occurrences as stored (read through the repository and the rules)."""
    assert community.db is not None
    record = await community.db.read(events.get, guild_id=community.guild.id, event_id=1)
    assert record is not None
    changes = await community.db.read(events.overrides, 1)
    overrides = {k: Override(o.start, o.duration, o.cancelled) for k, o in changes.items()}
    schedule = Schedule(record.start_local, record.duration, record.rrule)
    return [o.start for o in schedule.occurrences(overrides) if not o.cancelled]


def expand(data: bytes) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between((2026, 1, 1), (2029, 1, 1))
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)


async def test_weekly_series_keeps_local_time_across_both_dst_changes(
    community: LocalCommunity,
) -> None:
    await create_weekly(community)
    starts = await bot_occurrences(community)
    assert len(starts) == 34
    local = [s.astimezone(HELSINKI) for s in starts]
    assert {(t.hour, t.minute) for t in local} == {(10, 0)}
    by_date = {t.date(): s.hour for t, s in zip(local, starts, strict=True)}
    assert by_date[date(2027, 3, 23)] == 8  # EET, before 28 March
    assert by_date[date(2027, 3, 30)] == 7  # EEST
    assert by_date[date(2027, 10, 26)] == 7  # EEST, before 31 October
    assert by_date[date(2027, 11, 2)] == 8  # EET again
    assert "Repeats" in fields(announcement(community))


async def test_ics_file_matches_the_bots_own_occurrences(community: LocalCommunity) -> None:
    await create_weekly(community)
    series = await bot_occurrences(community)
    cancel_key = str(int(series[3].timestamp()))
    await confirmed(community.as_member("sofia"), "event cancel", event=1, occurrence=cancel_key)
    move_key = str(int(series[5].timestamp()))
    await community.as_member("sofia").slash(
        "event edit", event=1, occurrence=move_key, start="2027-04-21 15:00"
    )
    result = await community.as_member("aino").slash("event ics", event=1)
    attachment = result.message.attachments[0]  # type: ignore[union-attr]
    assert attachment.filename == "event-1.ics"
    text = attachment.data.decode()
    assert "TZID=Europe/Helsinki" in text and "RRULE:FREQ=WEEKLY" in text and "EXDATE" in text
    assert expand(attachment.data) == sorted(await bot_occurrences(community))


async def test_editing_one_occurrence_tells_its_attendees_only(community: LocalCommunity) -> None:
    await create_weekly(
        community,
    )
    message = announcement(community)
    await community.as_member("aino").click(message, "Going")
    first = (await bot_occurrences(community))[0]
    key = str(int(first.timestamp()))
    choices = await community.as_member("sofia").autocomplete(
        "event edit", "occurrence", "", event=1
    )
    assert choices[0]["value"] == key and "Tue 16 Mar 2027 10:00" in choices[0]["name"]
    result = await community.as_member("sofia").slash(
        "event edit", event=1, occurrence=key, start="2027-03-16 12:00"
    )
    assert "updated" in result.content
    dm = await dm_containing(community, "aino", "→")
    old, new = int(first.timestamp()), int((first + timedelta(hours=2)).timestamp())
    assert f"<t:{old}:F>" in dm.content and f"<t:{new}:F>" in dm.content
    starts = await bot_occurrences(community)
    assert starts[0] == first + timedelta(hours=2)
    assert starts[1].astimezone(HELSINKI).hour == 10  # the rest of the series is unchanged


async def test_non_organiser_cannot_edit(community: LocalCommunity) -> None:
    await create_weekly(community)
    result = await community.as_member("marco").slash("event edit", event=1, title="Mine now")
    assert result.ephemeral and "Only organisers" in result.content
    assert announcement(community).embeds[0]["title"] == "Industrial transition WG"


async def test_series_rolls_on_to_the_next_occurrence(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_weekly(community)
    first, second = (await bot_occurrences(community))[:2]
    clock.set(first + timedelta(minutes=1))
    await community.bot.scheduler.run_due()  # type: ignore[union-attr]
    shown = fields(announcement(community))["When"]
    assert f"<t:{int(second.timestamp())}:F>" in shown
    mirrored = community.sandbox.scheduled_events(community.guild)
    assert mirrored[-1].scheduled_start_time == second


async def test_calendar_feed_lists_every_event(tmp_path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    web = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": 0,
        "public_base_url": "https://s3cop.example.org",
    }
    async with local_community(tmp_path, clock=clock, web=web) as community:
        await create_weekly(community)
        await create_event(
            community,
            title="Conference",
            start="2027-05-20 09:00",
            format="live",
            venue="Square, Brussels",
            link=None,
        )
        result = await community.as_member("aino").slash("calendar link")
        url = next(w for w in result.content.split() if w.startswith("https://"))
        assert url.startswith("https://s3cop.example.org/calendar/")
        path = url.removeprefix("https://s3cop.example.org")
        port = community.bot.web.bound_port  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                assert response.status == 200
                assert response.content_type == "text/calendar"
                body = await response.read()
            async with session.get(f"http://127.0.0.1:{port}/calendar/guessed.ics") as response:
                assert response.status == 404
        weekly = await bot_occurrences(community)
        conference = datetime(2027, 5, 20, 7, 0, tzinfo=UTC)  # 09:00 in Brussels
        assert expand(body) == sorted([*weekly, conference])


async def test_series_duration_can_change_after_it_began(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_weekly(community)
    first = (await bot_occurrences(community))[0]
    clock.set(first + timedelta(days=1))  # the series' first meeting is in the past
    result = await community.as_member("sofia").slash("event edit", event=1, duration="2h")
    assert "updated" in result.content, result.content
    nxt = (await bot_occurrences(community))[1]
    info = await community.as_member("sofia").slash("event info", event=1)
    when = {f["name"]: f["value"] for f in info.message.embeds[0]["fields"]}["When"]  # type: ignore[union-attr]
    assert f"<t:{int((nxt + timedelta(hours=2)).timestamp())}:t>" in when


async def test_moving_a_series_off_its_weekday_is_refused(community: LocalCommunity) -> None:
    await create_weekly(community)
    result = await community.as_member("sofia").slash(
        "event edit",
        event=1,
        start="2027-03-17 10:00",  # a Wednesday; the series is Tuesdays
    )
    assert result.ephemeral and "not on a day this series repeats on" in result.content


async def test_moving_the_series_time_keeps_cancellations_and_answers(
    community: LocalCommunity,
) -> None:
    await create_weekly(community)
    await community.as_member("aino").click(announcement(community), "Going")
    series = await bot_occurrences(community)
    third = str(int(series[2].timestamp()))
    await confirmed(community.as_member("sofia"), "event cancel", event=1, occurrence=third)
    result = await community.as_member("sofia").slash(
        "event edit", event=1, start="2027-03-16 11:30"
    )
    assert "updated" in result.content
    moved = await bot_occurrences(community)
    assert len(moved) == 33  # the cancelled one stays cancelled
    assert {s.astimezone(HELSINKI).strftime("%H:%M") for s in moved} == {"11:30"}
    assert series[2].astimezone(HELSINKI).date() not in {
        s.astimezone(HELSINKI).date() for s in moved
    }
    await community.sandbox.wait_until(
        lambda: fields(announcement(community))["Answers"].startswith("Going: 1")
    )


async def test_an_occurrence_can_be_named_as_typed(community: LocalCommunity) -> None:
    await create_weekly(community)  # Tuesdays 10:00 Helsinki from 16 March 2027
    sofia = community.as_member("sofia")
    moved = await sofia.slash(
        "event edit", event=1, occurrence="23.3.2027", start="2027-03-23 12:00"
    )
    assert "updated" in moved.content, moved.content
    again = await sofia.slash(
        "event edit", event=1, occurrence="2027-03-23 12:00", duration="2h"
    )  # found by its new start
    assert "updated" in again.content, again.content
    gone = await confirmed(sofia, "event cancel", event=1, occurrence="2027-03-30")
    assert "Cancelled" in gone.content
    starts = await bot_occurrences(community)
    assert datetime(2027, 3, 23, 10, 0, tzinfo=UTC) in starts  # 12:00 EET
    assert all(s.date() != date(2027, 3, 30) for s in starts)
    wrong = await sofia.slash("event cancel", event=1, occurrence="24.3.2027")
    assert "“24.3.2027” is not an occurrence of this event" in wrong.content


async def test_the_list_shows_a_series_once_with_its_next_date_and_rule(
    community: LocalCommunity,
) -> None:
    await create_weekly(community)
    listing = await community.as_member("aino").slash("event list")
    embed = listing.message.embeds[0]  # type: ignore[union-attr]
    (field,) = [f for f in embed["fields"] if "Industrial transition WG" in f["name"]]
    first = (await bot_occurrences(community))[0]
    assert f"<t:{int(first.timestamp())}:F>" in field["value"]
    assert "tiistaisin" in field["value"]  # the rule, in Aino's Finnish


async def test_a_series_that_ends_before_it_starts_is_refused(community: LocalCommunity) -> None:
    """Review 2, #6: accepted, it was announced with no date and no buttons."""
    refused = await create_event(community, repeat="weekly until 2026-12-01")
    assert refused.modal is None and "before its first date" in refused.content
    assert "<t:" in refused.content  # the first date, named
    await create_event(community, repeat="weekly")
    edited = await community.as_member("sofia").slash(
        "event edit", event=1, repeat="weekly until 2026-12-01"
    )
    assert "before its first date" in edited.content
    record = await community.db.read(events.get, guild_id=community.guild.id, event_id=1)
    assert record is not None and record.rrule == "FREQ=WEEKLY"
