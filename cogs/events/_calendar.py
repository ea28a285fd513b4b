"""Events as an iCalendar file (RFC 5545) for calendar apps, written with the icalendar library.

Times are written in the event's own zone (DTSTART;TZID=...) with a VTIMEZONE that icalendar
builds from the zone database, so a calendar app repeats a series on the same wall-clock time
across clock changes, as the bot does. A cancelled occurrence is an EXDATE; an edited one is a
second VEVENT with the same UID and a RECURRENCE-ID naming the original start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from cogs.events._recurrence import parse_repeat

if TYPE_CHECKING:
    from icalendar import Event

ZONE_RULE_YEARS = 8
PRODID = "-//s3cop//EN"

# (original start, new start, new end, new title or None) of one edited occurrence
Override = tuple[datetime, datetime, datetime, str | None]


@dataclass(frozen=True)
class CalendarEvent:
    """One event or series as a calendar app should see it.

    ``rrule`` is the stored RRULE value (without ``RRULE:``); ``exdates`` and ``overrides``
    only mean something for a series and are left out of a single event.
    """

    uid: str  # stable across exports, e.g. "event-12@s3cop", so apps update instead of adding
    title: str
    description: str
    start: datetime  # aware
    end: datetime  # aware
    tz_name: str
    location: str | None = None
    url: str | None = None
    rrule: str | None = None
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[Override, ...] = ()
    status: Literal["CONFIRMED", "CANCELLED"] = "CONFIRMED"
    sequence: int = 0
    organiser: str | None = None


def build_calendar(events: Iterable[CalendarEvent], *, name: str, now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per event (plus one per edited occurrence) and VTIMEZONEs.

    The zones described are exactly those the events use, found by icalendar itself.
    """
    from icalendar import Calendar  # about 0.1 s to import: paid by the first feed, not at start

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = name
    stamp = now.astimezone(UTC)
    events = list(events)
    for event in events:
        for component in _components(event, stamp):
            calendar.add_component(component)
    # Describe each zone's rules from a year before the first event to well past any series
    # (a series may run at most 5 years), not icalendar's default 1970-2038.
    first = min((e.start.date() for e in events), default=stamp.date())
    calendar.add_missing_timezones(
        first_date=date(min(first.year, stamp.year) - 1, 1, 1),
        last_date=date(max(first.year, stamp.year) + ZONE_RULE_YEARS, 1, 1),
    )
    return calendar.to_ical()


def written(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` as the file says it: on the zone's wall clock, unless that wall time happens
    twice and ``moment`` is the second (RFC 5545 reads such a time as the first): then in UTC."""
    local = moment.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) != local.astimezone(UTC):
        return local.astimezone(UTC)
    return local


def written_end(start: datetime, end: datetime, zone: ZoneInfo) -> datetime:
    """The end as the file says it. Lengths are elapsed time; a reader that takes DTEND - DTSTART
    on the wall clock would get a clock change's hour wrong, so such an end is written in UTC."""
    local_start, local_end = start.astimezone(zone), written(end, zone)
    wall = local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)
    if local_end.tzinfo is zone and wall != end - start:
        return end.astimezone(UTC)
    return local_end


def _components(event: CalendarEvent, stamp: datetime) -> list[Event]:
    zone = ZoneInfo(event.tz_name)
    main = _vevent(event, stamp, event.start, event.end, event.title)
    if event.rrule is None:
        return [main]
    rule = parse_repeat(event.rrule, today=stamp.date())
    start = event.start.astimezone(zone)
    # Re-written so UNTIL is the UTC instant RFC 5545 requires next to a zoned DTSTART; the
    # rule's own EXDATEs are written as the starts they take out, in the same form as DTSTART.
    from icalendar import vRecur

    main.add("rrule", vRecur.from_ical(rule.to_rrule_string(start)))
    for excluded in sorted({*event.exdates, *rule.excluded(start)}):
        main.add("exdate", written(excluded, zone))
    components = [main]
    for original, new_start, new_end, new_title in event.overrides:
        moved = _vevent(event, stamp, new_start, new_end, new_title or event.title)
        moved.add("recurrence-id", written(original, zone))
        components.append(moved)
    return components


def _vevent(
    event: CalendarEvent, stamp: datetime, start: datetime, end: datetime, title: str
) -> Event:
    from icalendar import Event, vCalAddress

    zone = ZoneInfo(event.tz_name)
    component = Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp)
    component.add("sequence", event.sequence)
    component.add("status", event.status)
    component.add("summary", title)
    component.add("dtstart", written(start, zone))
    component.add("dtend", written_end(start, end, zone))
    if event.description:
        component.add("description", event.description)
    if event.location:
        component.add("location", event.location)
    if event.url:
        component.add("url", event.url)
    if event.organiser:
        # A calendar address is required; the organiser has none we may publish.
        organiser = vCalAddress("urn:s3cop:organiser")
        organiser.params["cn"] = event.organiser
        component.add("organizer", organiser)
    return component
