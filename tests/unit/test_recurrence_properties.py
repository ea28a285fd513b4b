"""Repeat rules on generated input: every accepted rule expands exactly as independent
implementations do (dateutil's rrule over local wall-clock times, and recurring-ical-events
reading our calendar file), and any text is a rule that reads back or a refusal, in time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rruleset, rrulestr
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import UserFacingError
from cogs.events import _calendar
from cogs.events._recurrence import LISTING_HORIZON, Recurrence, parse_repeat
from tests.budget import answered

TODAY = date(2026, 11, 28)
ZONES = tuple(
    ZoneInfo(z)
    for z in (
        "Europe/Helsinki",
        "Europe/Brussels",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "UTC",
    )
)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _some(values: st.SearchStrategy[int], most: int = 3) -> st.SearchStrategy[list[int]]:
    return st.lists(values, max_size=most, unique=True)


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    """RRULEs that can always match somewhere (so dateutil, which walks to year 9999 on a rule
    that never matches, stays quick): month days up to 28 and never with an n-th weekday, set
    positions within the set."""
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 4))}")
    months = draw(_some(st.integers(1, 12)))
    if months and draw(st.booleans()):
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    if freq != "WEEKLY" and draw(st.booleans()):
        monthdays = draw(_some(st.integers(1, 28).map(lambda d: d if d % 3 else -d)))
        if monthdays:
            parts.append("BYMONTHDAY=" + ",".join(map(str, monthdays)))
    plain = draw(_some(st.integers(0, 6), 4))
    byday = [DAYS[d] for d in plain]
    with_monthdays = any(p.startswith("BYMONTHDAY") for p in parts)
    if freq in ("MONTHLY", "YEARLY") and not (with_monthdays or plain) and draw(st.booleans()):
        in_months = freq == "MONTHLY" or any(p.startswith("BYMONTH=") for p in parts)
        high = 5 if in_months else 20  # a 20th Monday exists in a year, not in a month
        for nth, day in draw(
            st.lists(st.tuples(st.integers(1, high), st.integers(0, 6)), max_size=2)
        ):
            byday.append(f"{nth if draw(st.booleans()) else -nth}{DAYS[day]}")
    if byday and draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(dict.fromkeys(byday)))
        sets = plain and freq in ("MONTHLY", "YEARLY") and "BYMONTHDAY" not in str(parts)
        if sets and draw(st.booleans()):
            positions = _some(st.integers(1, 4).map(lambda p: p if p % 2 else -p), 2)
            parts.append("BYSETPOS=" + ",".join(map(str, draw(positions) or [1])))
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    ending = draw(st.sampled_from(["none", "count", "until_date", "until_utc", "until_wall"]))
    if ending == "count":
        parts.append(f"COUNT={draw(st.integers(1, 60))}")
    elif ending != "none":
        until = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(
            minutes=draw(st.integers(0, 3 * 365 * 1440))
        )
        written = {"until_date": "%Y%m%d", "until_utc": "%Y%m%dT%H%M%SZ"}
        parts.append("UNTIL=" + until.strftime(written.get(ending, "%Y%m%dT%H%M%S")))
    draw(st.randoms()).shuffle(parts)
    return ";".join(parts)


def _oracle(
    rule: Recurrence, text: str, start: datetime, exdates: list[datetime]
) -> list[datetime]:
    """dateutil over naive wall-clock times, placed in the zone afterwards (fold 0, as RFC 5545
    reads a repeated time; a skipped one lands on the same instant as ours)."""
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo)
    body = ";".join(p for p in text.split(";") if not p.startswith("UNTIL="))
    if isinstance(rule.until, datetime) and rule.until.tzinfo is None:
        body += f";UNTIL={rule.until:%Y%m%dT%H%M%S}"
    elif rule.until is not None and not isinstance(rule.until, datetime):
        body += f";UNTIL={datetime.combine(rule.until, time.max):%Y%m%dT%H%M%S}"
    wall = start.replace(tzinfo=None)
    series = rruleset()
    series.rrule(rrulestr(body, dtstart=wall))
    for excluded in exdates:
        series.exdate(excluded)
    horizon = start + LISTING_HORIZON
    found = []
    for moment in series:
        placed = moment.replace(tzinfo=zone)
        if placed > horizon or len(found) >= 500:
            break
        instant_until = isinstance(rule.until, datetime) and rule.until.tzinfo is not None
        if instant_until and placed > rule.until:  # type: ignore[operator]
            break
        found.append(placed)
    return found


def _on_the_rule(text: str, start: datetime) -> datetime | None:
    """The first start the rule itself makes at or after ``start`` (by dateutil), if any soon."""
    body = ";".join(p for p in text.split(";") if not p.startswith(("UNTIL=", "COUNT=")))
    wall = start.replace(tzinfo=None)
    first = rrulestr(body, dtstart=wall).after(wall, inc=True)
    if first is None or first > wall + timedelta(days=3 * 366):
        return None
    return first.replace(tzinfo=start.tzinfo)


@given(
    text=rule_texts(),
    zone=st.sampled_from(ZONES),
    day=st.integers(0, 3 * 365),
    minute=st.integers(0, 24 * 60 - 1),
    drop=st.lists(st.integers(0, 30), max_size=3, unique=True),
)
def test_expansion_agrees_with_dateutil_and_calendar_apps(
    text: str, zone: ZoneInfo, day: int, minute: int, drop: list[int]
) -> None:
    rule = parse_repeat(text, today=TODAY)
    assert parse_repeat(rule.text(), today=TODAY) == rule
    wanted = datetime.combine(date(2026, 12, 1) + timedelta(days=day), time()) + timedelta(
        minutes=minute
    )
    start = _on_the_rule(text, wanted.replace(tzinfo=zone))
    assume(start is not None)
    assert start is not None
    start = start.replace(fold=0)
    wall = start.replace(tzinfo=None)
    assume(start.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall)  # not in a gap

    # EXDATEs: some of the series' own wall times, as a calendar app writes them
    plain = _oracle(rule, text, start, [])
    exdates = sorted({plain[i].replace(tzinfo=None) for i in drop if 0 < i < len(plain)})
    if exdates:
        lines = ",".join(f"{e:%Y%m%dT%H%M%S}" for e in exdates)
        rule = parse_repeat(f"RRULE:{text}\nEXDATE;TZID={zone.key}:{lines}", today=TODAY)
        assert parse_repeat(rule.text(), today=TODAY) == rule
    until = rule.until
    if until is not None and (
        start > until
        if isinstance(until, datetime) and until.tzinfo is not None
        else wall > until
        if isinstance(until, datetime)
        else start.date() > until
    ):  # a series that would end before its first date: no date at all (review 2, #6)
        with pytest.raises(UserFacingError, match="before its first date"):
            rule.check_start(start)
        return
    rule.check_start(start)  # a start the rule makes is accepted

    ours = answered(rule.occurrences, start)
    assert not isinstance(ours, UserFacingError)
    expected = _oracle(rule, text, start, exdates)
    assert [m.astimezone(UTC) for m in ours] == [m.astimezone(UTC) for m in expected]
    assert all(m.tzinfo is zone for m in ours)

    calendar = _calendar.build_calendar(
        [
            _calendar.CalendarEvent(
                uid="event-1@s3cop",
                title="Series",
                description="",
                start=start,
                end=start + timedelta(hours=1),
                tz_name=zone.key,
                rrule=rule.text(),
            )
        ],
        name="test",
        now=datetime(2026, 11, 28, tzinfo=UTC),
    )
    horizon = start + LISTING_HORIZON
    read = recurring_ical_events.of(icalendar.Calendar.from_ical(calendar)).between(
        start.astimezone(UTC), horizon.astimezone(UTC) + timedelta(seconds=1)
    )
    theirs = sorted(e["DTSTART"].dt.astimezone(UTC) for e in read)
    assert theirs[: len(ours)] == [m.astimezone(UTC) for m in ours][:500]


@given(text=rule_texts(), zone=st.sampled_from(ZONES), after_days=st.integers(0, 700))
def test_after_lists_the_same_starts_as_the_whole_series(
    text: str, zone: ZoneInfo, after_days: int
) -> None:
    rule = parse_repeat(text, today=TODAY)
    start = _on_the_rule(text, datetime(2027, 1, 4, 10, 0, tzinfo=zone))
    assume(start is not None)
    assert start is not None
    whole = rule.occurrences(start)
    after = start + timedelta(days=after_days)
    later = rule.occurrences(start, after=after, limit=5)
    assert later[: len([m for m in whole if m > after][:5])] == [m for m in whole if m > after][:5]
    assert all(m > after for m in later)


REPEAT_WORDS = st.sampled_from(
    [
        "daily",
        "weekly",
        "monthly",
        "yearly",
        "every",
        "other",
        "second",
        "on",
        "the",
        "last",
        "first",
        "2nd",
        "tuesday",
        "fri",
        "mon,wed",
        "count",
        "until",
        "times",
        "for",
        "of",
        "month",
        "weeks",
        "days",
        "joka",
        "toinen",
        "viikko",
        "tiistaisin",
        "kuukauden",
        "viimeinen",
        "perjantai",
        "kertaa",
        "asti",
        "30.6.2027",
        "2027-06-30",
        "31.2.2027",
        "RRULE:",
        "FREQ=",
        "WEEKLY",
        "HOURLY",
        ";",
        "BYDAY=",
        "2TU",
        "-1FR",
        "BYMONTHDAY=",
        "-1",
        "BYSETPOS=",
        "UNTIL=",
        "20280305T000000Z",
        "COUNT=",
        "99999999",
        "²",
        "EXDATE:",
        "EXDATE;TZID=Europe/Helsinki:",
        "20270105T100000",
        "\n",
        ",",
        "0",
        "-",
        "9" * 50,
    ]
)


@given(
    text=st.one_of(
        st.text(max_size=300),
        st.lists(REPEAT_WORDS, max_size=12).map(" ".join),
        st.lists(REPEAT_WORDS, max_size=12).map("".join),
        rule_texts(),
    )
)
def test_any_text_is_a_rule_that_reads_back_or_a_refusal_in_time(text: str) -> None:
    rule = answered(parse_repeat, text, today=TODAY)
    if isinstance(rule, UserFacingError):
        return
    assert parse_repeat(rule.text(), today=TODAY) == rule
    start = datetime(2027, 1, 4, 10, 0, tzinfo=ZONES[0])
    answered(rule.describe, "fi")
    answered(rule.check_start, start)
    listed = answered(rule.occurrences, start)
    assert not isinstance(listed, UserFacingError)
    assert listed == sorted(listed) and len(listed) <= 500
