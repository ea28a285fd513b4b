"""Calendar files, read back by icalendar and expanded by an independent library.

recurring_ical_events is what calendar apps do in miniature: if it finds the same occurrences
as Recurrence.occurrences, a subscriber's calendar shows what the bot announces.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from cogs.events._calendar import PRODID, CalendarEvent, build_calendar
from cogs.events._recurrence import parse_repeat

HELSINKI = ZoneInfo("Europe/Helsinki")
BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def helsinki(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


# Any: icalendar types component[...] as a union of every property type.
def _read(data: bytes) -> Any:
    return icalendar.Calendar.from_ical(data)


def _expand(calendar: Any) -> list[Any]:
    found = recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2029, 1, 1))
    return sorted(found, key=lambda e: e["DTSTART"].dt)


def test_weekly_series_across_both_clock_changes_with_a_cancelled_and_a_moved_occurrence() -> None:
    rule = parse_repeat("weekly on tuesday count 34", today=NOW.date())
    start = helsinki(2027, 3, 16, 10)
    expected = rule.occurrences(start)
    assert expected[-1] == helsinki(2027, 11, 2, 10)  # spans 2027-03-28 and 2027-10-31
    cancelled = helsinki(2027, 3, 30, 10)
    moved_from, moved_to = helsinki(2027, 11, 2, 10), helsinki(2027, 11, 3, 11)
    event = CalendarEvent(
        uid="event-7@s3cop",
        title="S3 CoP monthly call",
        description="Agenda in the forum.",
        start=start,
        end=start + timedelta(hours=1),
        tz_name="Europe/Helsinki",
        url="https://meet.example.org/s3",
        rrule=rule.to_rrule_string(),
        exdates=(cancelled,),
        overrides=((moved_from, moved_to, moved_to + timedelta(hours=2), "Moved call"),),
        sequence=2,
        organiser="Anna",
    )
    calendar = _read(build_calendar([event], name="S3 CoP", now=NOW))

    found = _expand(calendar)
    wanted = [o if o != moved_from else moved_to for o in expected if o != cancelled]
    assert [e["DTSTART"].dt for e in found] == wanted
    assert {(e["DTSTART"].dt.astimezone(HELSINKI).hour) for e in found[:-1]} == {10}
    assert {e["DTSTART"].dt.astimezone(UTC).hour for e in found[:-1]} == {7, 8}
    last = found[-1]
    assert (str(last["SUMMARY"]), last["DTEND"].dt) == ("Moved call", moved_to + timedelta(hours=2))
    assert all(e["DTEND"].dt - e["DTSTART"].dt == timedelta(hours=1) for e in found[:-1])

    main, override = calendar.walk("VEVENT")
    assert main["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert main["EXDATE"].params["TZID"] == "Europe/Helsinki"
    assert main["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=34;BYDAY=TU"
    assert override["RECURRENCE-ID"].dt == moved_from
    assert override["UID"] == main["UID"] == "event-7@s3cop"
    assert main["SEQUENCE"] == 2 and main["STATUS"] == "CONFIRMED"
    assert main["ORGANIZER"].params["CN"] == "Anna"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    assert calendar["PRODID"] == PRODID and calendar["X-WR-CALNAME"] == "S3 CoP"


def test_until_includes_the_last_day_in_calendar_apps_too() -> None:
    rule = parse_repeat("weekly until 2027-06-29", today=NOW.date())
    start = helsinki(2027, 6, 1, 23, 30)  # late evening: after UTC midnight's date change
    event = CalendarEvent(
        uid="event-8@s3cop",
        title="Evening call",
        description="",
        start=start,
        end=start + timedelta(minutes=30),
        tz_name="Europe/Helsinki",
        rrule=rule.to_rrule_string(),
    )
    found = _expand(_read(build_calendar([event], name="S3 CoP", now=NOW)))
    assert [e["DTSTART"].dt for e in found] == rule.occurrences(start)
    assert found[-1]["DTSTART"].dt.date() == date(2027, 6, 29)


def test_a_single_event() -> None:
    start = datetime(2026, 12, 3, 14, 0, tzinfo=BRUSSELS)
    event = CalendarEvent(
        uid="event-1@s3cop",
        title="Kick-off",
        description="",
        start=start,
        end=start + timedelta(hours=2),
        tz_name="Europe/Brussels",
        location="Berlaymont",
    )
    calendar = _read(build_calendar([event], name="S3 CoP", now=NOW))
    (found,) = _expand(calendar)
    assert found["DTSTART"].dt == start and found["DTEND"].dt == start + timedelta(hours=2)
    (vevent,) = calendar.walk("VEVENT")
    assert "RRULE" not in vevent and "EXDATE" not in vevent and "DESCRIPTION" not in vevent
    assert vevent["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert vevent["DTSTAMP"].dt == NOW
    assert str(vevent["LOCATION"]) == "Berlaymont"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled() -> None:
    start = helsinki(2026, 12, 3, 14)
    event = CalendarEvent(
        uid="event-2@s3cop",
        title="Cancelled workshop",
        description="",
        start=start,
        end=start + timedelta(hours=1),
        tz_name="Europe/Helsinki",
        status="CANCELLED",
        sequence=1,
    )
    (vevent,) = _read(build_calendar([event], name="S3 CoP", now=NOW)).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1


def test_each_zone_used_gets_one_vtimezone() -> None:
    events = [
        CalendarEvent(
            uid=f"event-{n}@s3cop",
            title="Call",
            description="",
            start=datetime(2026, 12, n, 10, tzinfo=zone),
            end=datetime(2026, 12, n, 11, tzinfo=zone),
            tz_name=zone.key,
        )
        for n, zone in ((1, HELSINKI), (2, BRUSSELS), (3, HELSINKI))
    ]
    calendar = _read(build_calendar(events, name="S3 CoP", now=NOW))
    assert sorted(tz["TZID"] for tz in calendar.walk("VTIMEZONE")) == [
        "Europe/Brussels",
        "Europe/Helsinki",
    ]
    assert len(_expand(calendar)) == 3


def test_an_empty_feed_is_still_a_calendar() -> None:
    calendar = _read(build_calendar([], name="S3 CoP", now=NOW))
    assert calendar.walk("VEVENT") == [] and calendar["VERSION"] == "2.0"


def test_an_end_across_a_clock_change_is_written_as_its_instant() -> None:
    """DTEND on the wall clock would make readers that subtract wall times (recurring-ical-events
    does) see a 3-day event over the autumn weekend as 3 days and an hour."""
    zone = ZoneInfo("Europe/Helsinki")
    start = datetime(2027, 10, 29, 9, 0, tzinfo=zone)
    end = start.astimezone(UTC) + timedelta(days=3)
    data = build_calendar(
        [CalendarEvent(uid="e@s", title="Retreat", description="", start=start, end=end,
                       tz_name=zone.key)],
        name="t",
        now=NOW,
    )  # fmt: skip
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event["DTEND"].dt == end and event["DTEND"].dt.tzinfo is not None
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(days=3)
    assert "DTEND:20271101T060000Z" in data.decode()
