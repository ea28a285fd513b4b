"""Repeat rules: phrases and RRULEs in, wall-clock occurrences in the event's zone out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserFacingError
from cogs.events._recurrence import (
    UNREADABLE_REPEAT,
    UNSUPPORTED_RRULE,
    Recurrence,
    parse_repeat,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2026, 11, 28)
TU, TH, FR = 1, 3, 4


def helsinki(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("text", "expected", "rrule"),
    [
        ("daily", Recurrence("daily"), "FREQ=DAILY"),
        ("every 3 days", Recurrence("daily", 3), "FREQ=DAILY;INTERVAL=3"),
        ("weekly", Recurrence("weekly"), "FREQ=WEEKLY"),
        ("every 2 weeks", Recurrence("weekly", 2), "FREQ=WEEKLY;INTERVAL=2"),
        ("fortnightly", Recurrence("weekly", 2), "FREQ=WEEKLY;INTERVAL=2"),
        (
            "every 2 weeks on Tuesday",
            Recurrence("weekly", 2, (TU,)),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        ),
        ("every other Tuesday", Recurrence("weekly", 2, (TU,)), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("every tuesday", Recurrence("weekly", 1, (TU,)), "FREQ=WEEKLY;BYDAY=TU"),
        ("weekly on mon,wed", Recurrence("weekly", 1, (0, 2)), "FREQ=WEEKLY;BYDAY=MO,WE"),
        (
            "weekly on Wednesday and Monday",
            Recurrence("weekly", 1, (0, 2)),
            "FREQ=WEEKLY;BYDAY=MO,WE",
        ),
        ("monthly", Recurrence("monthly"), "FREQ=MONTHLY"),
        (
            "monthly on the 2nd Tuesday",
            Recurrence("monthly", nth_weekdays=((2, TU),)),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        (
            "monthly on the last Friday",
            Recurrence("monthly", nth_weekdays=((-1, FR),)),
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            "the last Friday of the month",
            Recurrence("monthly", nth_weekdays=((-1, FR),)),
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            "second Tuesday of each month",
            Recurrence("monthly", nth_weekdays=((2, TU),)),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        ("weekly count 10", Recurrence("weekly", count=10), "FREQ=WEEKLY;COUNT=10"),
        ("weekly for 10 times", Recurrence("weekly", count=10), "FREQ=WEEKLY;COUNT=10"),
        (
            "weekly until 2027-06-30",
            Recurrence("weekly", until=date(2027, 6, 30)),
            "FREQ=WEEKLY;UNTIL=20270630",
        ),
        (
            "every 2 weeks on tue and thu, count 10",
            Recurrence("weekly", 2, (TU, TH), count=10),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10",
        ),
        # Finnish
        ("päivittäin", Recurrence("daily"), "FREQ=DAILY"),
        ("viikoittain", Recurrence("weekly"), "FREQ=WEEKLY"),
        ("joka viikko", Recurrence("weekly"), "FREQ=WEEKLY"),
        ("joka toinen viikko", Recurrence("weekly", 2), "FREQ=WEEKLY;INTERVAL=2"),
        ("joka toinen tiistai", Recurrence("weekly", 2, (TU,)), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("tiistaisin ja torstaisin", Recurrence("weekly", 1, (TU, TH)), "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("kuukausittain", Recurrence("monthly"), "FREQ=MONTHLY"),
        (
            "kuukauden viimeinen perjantai",
            Recurrence("monthly", nth_weekdays=((-1, FR),)),
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            "kuukauden toinen tiistai",
            Recurrence("monthly", nth_weekdays=((2, TU),)),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        ("viikoittain 10 kertaa", Recurrence("weekly", count=10), "FREQ=WEEKLY;COUNT=10"),
        (
            "viikoittain 30.6.2027 asti",
            Recurrence("weekly", until=date(2027, 6, 30)),
            "FREQ=WEEKLY;UNTIL=20270630",
        ),
        # RRULEs, with or without the prefix; BYSETPOS is written back as BYDAY=2TU
        (
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=10",
            Recurrence("weekly", 2, (TU,), count=10),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=10",
        ),
        (
            "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
            Recurrence("monthly", nth_weekdays=((2, TU),)),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        (
            "FREQ=MONTHLY;BYDAY=+2TU",
            Recurrence("monthly", nth_weekdays=((2, TU),)),
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        (  # UNTIL as an instant, as written (RFC 5545), not cut to its date
            "freq=weekly;wkst=mo;until=20270630T205959Z",
            Recurrence("weekly", until=datetime(2027, 6, 30, 20, 59, 59, tzinfo=UTC)),
            "FREQ=WEEKLY;UNTIL=20270630T205959Z",
        ),
        # what Google Calendar and Outlook export for meetings
        (
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            Recurrence("weekly", weekdays=(0, 1, 2, 3, 4)),
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ),
        (
            "RRULE:FREQ=WEEKLY;WKST=SU;COUNT=10;BYDAY=TU,TH",
            Recurrence("weekly", weekdays=(TU, TH), wkst=6, count=10),
            "FREQ=WEEKLY;BYDAY=TU,TH;WKST=SU;COUNT=10",
        ),
        (
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
            Recurrence("monthly", monthdays=(15,)),
            "FREQ=MONTHLY;BYMONTHDAY=15",
        ),
        (
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1",
            Recurrence("monthly", monthdays=(-1,)),
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
        (
            "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            Recurrence("monthly", weekdays=(0, 1, 2, 3, 4), setpos=(-1,)),
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
        ("RRULE:FREQ=YEARLY", Recurrence("yearly"), "FREQ=YEARLY"),
        (
            "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
            Recurrence("yearly", months=(11,), nth_weekdays=((4, TH),)),
            "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
        ),
        (
            "FREQ=MONTHLY;BYDAY=5TU",
            Recurrence("monthly", nth_weekdays=((5, TU),)),
            "FREQ=MONTHLY;BYDAY=5TU",
        ),
        (
            "FREQ=DAILY;BYDAY=MO",
            Recurrence("daily", weekdays=(0,)),
            "FREQ=DAILY;BYDAY=MO",
        ),
        # phrases for the new shapes
        ("yearly", Recurrence("yearly"), "FREQ=YEARLY"),
        ("vuosittain", Recurrence("yearly"), "FREQ=YEARLY"),
        (
            "monthly on the 15th",
            Recurrence("monthly", monthdays=(15,)),
            "FREQ=MONTHLY;BYMONTHDAY=15",
        ),
        (
            "kuukauden 15. päivä",
            Recurrence("monthly", monthdays=(15,)),
            "FREQ=MONTHLY;BYMONTHDAY=15",
        ),
        (
            "monthly on the last day",
            Recurrence("monthly", monthdays=(-1,)),
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
        (
            "kuukauden viimeinen päivä",
            Recurrence("monthly", monthdays=(-1,)),
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
    ],
)
def test_phrases_and_rrules(text: str, expected: Recurrence, rrule: str) -> None:
    rule = parse_repeat(text, today=TODAY)
    assert rule == expected
    assert rule.to_rrule_string() == rrule
    assert parse_repeat(rule.to_rrule_string(), today=TODAY) == rule
    assert parse_repeat("RRULE:" + rule.to_rrule_string(), today=TODAY) == rule


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("every second Tuesday", "can mean every other week"),
        ("asdf", UNREADABLE_REPEAT),
        ("weekly on funday", UNREADABLE_REPEAT),
        ("monthly on the 5th Tuesday", UNREADABLE_REPEAT),
        ("every 0 weeks", "interval"),
        ("every 100 days", "interval"),
        ("weekly count 1000", "1 to {limit} occurrences"),
        ("weekly count 0", "1 to {limit} occurrences"),
        ("weekly until 2035-01-01", "at most {years} years"),
        ("weekly until 31.2.2027", "as a date"),
        ("weekly count 3 until 2027-01-01", "not both"),
        # finer than a day: an event starts once a day
        ("FREQ=SECONDLY", UNSUPPORTED_RRULE),
        ("FREQ=HOURLY;INTERVAL=2", UNSUPPORTED_RRULE),
        ("FREQ=DAILY;BYHOUR=9,17", UNSUPPORTED_RRULE),
        ("FREQ=DAILY;BYMINUTE=30", UNSUPPORTED_RRULE),
        # not RFC 5545, or not what meeting calendars export
        ("FREQ=YEARLY;BYWEEKNO=20", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;BYMONTHDAY=3", UNSUPPORTED_RRULE),
        ("FREQ=MONTHLY;BYYEARDAY=100", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;BYDAY=2TU", UNSUPPORTED_RRULE),
        ("FREQ=MONTHLY;BYDAY=6TU", UNSUPPORTED_RRULE),
        ("FREQ=MONTHLY;BYDAY=MO,-1MO", UNSUPPORTED_RRULE),  # a union or an intersection?
        ("FREQ=MONTHLY;BYMONTHDAY=0", UNSUPPORTED_RRULE),
        ("FREQ=MONTHLY;BYMONTHDAY=32", UNSUPPORTED_RRULE),
        ("FREQ=YEARLY;BYMONTH=13", UNSUPPORTED_RRULE),
        ("FREQ=YEARLY;BYMONTH=-1", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;WKST=XX", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;RSCALE=GREGORIAN", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;COUNT=ten", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;COUNT=²", UNSUPPORTED_RRULE),  # a superscript digit
        ("FREQ=WEEKLY;COUNT=" + "9" * 1500, UNSUPPORTED_RRULE),  # past Python's digit limit
        ("FREQ=WEEKLY;INTERVAL=" + "9" * 1500, UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;UNTIL=2027", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;UNTIL=00010101", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;UNTIL=99991231T235959Z", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;FREQ=DAILY", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;INTERVAL=-1", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;INTERVAL=0", "interval"),
        ("FREQ=WEEKLY;BYSETPOS=1", UNSUPPORTED_RRULE),
        ("FREQ=WEEKLY;UNTIL=20270231", UNSUPPORTED_RRULE),
        ("DTSTART:20270105T100000 RRULE:FREQ=WEEKLY", UNSUPPORTED_RRULE),
        ("RRULE:FREQ=WEEKLY EXDATE;TZID=Mars/Olympus:20270105T100000", UNSUPPORTED_RRULE),
        ("RRULE:FREQ=WEEKLY RRULE:FREQ=DAILY", UNSUPPORTED_RRULE),
        ("every " + "9" * 1500 + " days", UNREADABLE_REPEAT),
        ("weekly count " + "9" * 1500, UNREADABLE_REPEAT),
        ("weekly" + " " * 3000, "characters long"),
    ],
)
def test_bad_rules_say_what_is_supported(text: str, fragment: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_repeat(text, today=TODAY)
    assert fragment in caught.value.message


def test_every_second_weekday_offers_both_readings() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_repeat("every 2nd thu", today=TODAY)
    assert caught.value.params == {"weekday": "Thursday"}


def _utc_hours(moments: list[datetime]) -> list[int]:
    return [m.astimezone(UTC).hour for m in moments]


@pytest.mark.parametrize(
    ("rule", "start", "expected_local", "expected_utc_hours"),
    [
        # spring: 10:00 Helsinki is 08:00 UTC before 2027-03-28 and 07:00 after
        (
            "weekly",
            helsinki(2027, 3, 18, 10),
            [helsinki(2027, 3, d, 10) for d in (18, 25)]
            + [helsinki(2027, 4, d, 10) for d in (1, 8)],
            [8, 8, 7, 7],
        ),
        # autumn: back from 07:00 to 08:00 UTC after 2027-10-31
        (
            "weekly",
            helsinki(2027, 10, 21, 10),
            [helsinki(2027, 10, d, 10) for d in (21, 28)]
            + [helsinki(2027, 11, d, 10) for d in (4, 11)],
            [7, 7, 8, 8],
        ),
        # a wall time the clocks skip moves forward by the jump; a doubled one takes the first
        (
            "daily",
            helsinki(2027, 3, 27, 3, 30),
            [
                helsinki(2027, 3, 27, 3, 30),
                helsinki(2027, 3, 28, 4, 30),
                helsinki(2027, 3, 29, 3, 30),
            ],
            [1, 1, 0],
        ),
        (
            "daily",
            helsinki(2027, 10, 30, 3, 30),
            [
                helsinki(2027, 10, 30, 3, 30),
                helsinki(2027, 10, 31, 3, 30),
                helsinki(2027, 11, 1, 3, 30),
            ],
            [0, 0, 1],
        ),
    ],
)
def test_wall_clock_stays_across_clock_changes(
    rule: str, start: datetime, expected_local: list[datetime], expected_utc_hours: list[int]
) -> None:
    found = parse_repeat(rule, today=TODAY).occurrences(start, limit=len(expected_local))
    assert found == expected_local
    assert [(m.hour, m.minute) for m in found] == [(m.hour, m.minute) for m in expected_local]
    assert _utc_hours(found) == expected_utc_hours
    assert all(m.tzinfo is HELSINKI and m.fold == 0 for m in found)


@pytest.mark.parametrize(
    ("rule", "start", "limit", "expected_days"),
    [
        (
            "monthly on the last Friday",
            helsinki(2027, 1, 29, 10),
            6,
            ["2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30", "2027-05-28", "2027-06-25"],
        ),
        (
            "kuukauden toinen tiistai",
            helsinki(2026, 12, 8, 14),
            4,
            ["2026-12-08", "2027-01-12", "2027-02-09", "2027-03-09"],
        ),
        (
            "every 2 weeks on tue and thu",
            helsinki(2026, 12, 1, 10),
            6,
            ["2026-12-01", "2026-12-03", "2026-12-15", "2026-12-17", "2026-12-29", "2026-12-31"],
        ),
        (
            "weekly count 3",
            helsinki(2026, 12, 1, 10),
            500,
            ["2026-12-01", "2026-12-08", "2026-12-15"],
        ),
        (  # the until day is included
            "weekly until 15.12.2026",
            helsinki(2026, 12, 1, 23, 30),
            500,
            ["2026-12-01", "2026-12-08", "2026-12-15"],
        ),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=3",
            helsinki(2027, 1, 29, 10),
            500,
            ["2027-01-29", "2027-03-26", "2027-05-28"],
        ),
        ("monthly", helsinki(2027, 1, 15, 10), 3, ["2027-01-15", "2027-02-15", "2027-03-15"]),
    ],
)
def test_series_days(rule: str, start: datetime, limit: int, expected_days: list[str]) -> None:
    found = parse_repeat(rule, today=TODAY).occurrences(start, limit=limit)
    assert [m.date().isoformat() for m in found] == expected_days
    assert {(m.hour, m.minute) for m in found} == {(start.hour, start.minute)}


def test_after_is_strict_and_next_occurrence_follows_it() -> None:
    rule = parse_repeat("weekly count 3", today=TODAY)
    start = helsinki(2026, 12, 1, 10)
    assert rule.occurrences(start, after=helsinki(2026, 12, 8, 10)) == [helsinki(2026, 12, 15, 10)]
    assert rule.next_occurrence(start, helsinki(2026, 12, 2, 0).astimezone(UTC)) == helsinki(
        2026, 12, 8, 10
    )
    assert rule.next_occurrence(start, helsinki(2026, 12, 15, 10)) is None


def test_an_endless_series_is_listed_within_the_horizon_and_limit() -> None:
    rule = parse_repeat("weekly", today=TODAY)
    start = helsinki(2026, 12, 1, 10)
    listed = rule.occurrences(start, limit=10_000)
    assert len(listed) == 105  # two years of Tuesdays
    assert listed[-1] - start <= timedelta(days=2 * 365)
    assert len(rule.occurrences(start, limit=7)) == 7
    later = rule.occurrences(start, after=helsinki(2030, 1, 1, 0), limit=10_000)
    assert later[0] == helsinki(2030, 1, 1, 10) and len(later) == 105


def test_a_start_off_the_rule_is_the_first_occurrence_and_check_start_refuses_it() -> None:
    rule = parse_repeat("weekly on tue, thu count 2", today=TODAY)
    monday = helsinki(2026, 11, 30, 10)
    # RFC 5545: DTSTART always counts (as the first of COUNT), then the rule's own days
    assert rule.occurrences(monday) == [monday, helsinki(2026, 12, 1, 10)]
    with pytest.raises(UserFacingError) as caught:
        rule.check_start(monday)
    tuesday = helsinki(2026, 12, 1, 10)
    assert caught.value.params == {
        "start": int(monday.timestamp()),
        "first": int(tuesday.timestamp()),
    }
    rule.check_start(helsinki(2026, 12, 1, 10))
    with pytest.raises(UserFacingError):
        parse_repeat("monthly on the 2nd tuesday", today=TODAY).check_start(
            helsinki(2026, 12, 1, 9)
        )
    parse_repeat("monthly on the 2nd tuesday", today=TODAY).check_start(helsinki(2026, 12, 8, 9))


def test_until_is_written_in_utc_for_calendars() -> None:
    rule = parse_repeat("weekly until 2027-06-30", today=TODAY)
    assert rule.to_rrule_string(helsinki(2027, 6, 1, 10)) == "FREQ=WEEKLY;UNTIL=20270630T205959Z"
    assert rule.to_rrule_string(helsinki(2027, 1, 1, 10)) == "FREQ=WEEKLY;UNTIL=20270630T205959Z"
    winter = parse_repeat("weekly until 2027-01-31", today=TODAY)
    assert winter.to_rrule_string(helsinki(2027, 1, 1, 10)) == "FREQ=WEEKLY;UNTIL=20270131T215959Z"


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("daily", "every day"),
        ("every 3 days", "every 3 days"),
        ("weekly", "every week"),
        ("every 2 weeks on tuesday", "every 2 weeks on Tuesdays"),
        ("weekly on mon, wed, fri", "every week on Mondays, Wednesdays and Fridays"),
        ("monthly", "every month on the same date"),
        ("monthly on the last friday", "the last Friday of every month"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "the second Tuesday of every 3 months"),
        ("weekly count 10", "every week, 10 times"),
        ("weekly until 30.6.2027", "every week, until 2027-06-30"),
    ],
)
def test_describe_in_english(text: str, english: str) -> None:
    assert parse_repeat(text, today=TODAY).describe("en") == english


def test_describe_in_finnish_writes_dates_the_finnish_way() -> None:
    text = parse_repeat("viikoittain 30.6.2027 asti", today=TODAY).describe("fi")
    assert "30.6.2027" in text and "2027-06-30" not in text


def test_a_stored_rule_past_its_end_still_reads() -> None:
    rule = parse_repeat("FREQ=WEEKLY;UNTIL=20200101", today=TODAY)
    assert rule.occurrences(helsinki(2019, 12, 3, 10), after=helsinki(2026, 1, 1, 0)) == []


def test_until_is_an_instant_not_its_date() -> None:
    """RFC 5545 compares UNTIL as an instant: 10:00 Helsinki on 5 March is 08:00 UTC, after
    UNTIL=...T000000Z, so that Sunday is not part of the series (cutting UNTIL to its date kept
    it)."""
    rule = parse_repeat("RRULE:FREQ=WEEKLY;UNTIL=20280305T000000Z", today=TODAY)
    found = rule.occurrences(helsinki(2028, 2, 20, 10))
    assert [m.date().isoformat() for m in found] == ["2028-02-20", "2028-02-27"]
    early = rule.occurrences(helsinki(2028, 2, 20, 1, 30))  # 23:30 UTC the day before
    assert [m.date().isoformat() for m in early][-1] == "2028-03-05"
    floating = parse_repeat("RRULE:FREQ=WEEKLY;UNTIL=20280305T100000", today=TODAY)
    assert len(floating.occurrences(helsinki(2028, 2, 20, 10))) == 3  # a wall time: included


def test_exdates_leave_occurrences_out_and_are_kept_in_the_stored_form() -> None:
    text = (
        "RRULE:FREQ=WEEKLY;BYDAY=TU\n"
        "EXDATE;TZID=Europe/Helsinki:20261215T100000,20261222T100000\n"
        "EXDATE;VALUE=DATE:20261229"
    )
    rule = parse_repeat(text, today=TODAY)
    start = helsinki(2026, 12, 8, 10)
    days = [m.date().isoformat() for m in rule.occurrences(start, limit=3)]
    assert days == ["2026-12-08", "2027-01-05", "2027-01-12"]
    assert [m.date().isoformat() for m in rule.excluded(start)] == [
        "2026-12-15",
        "2026-12-22",
        "2026-12-29",
    ]
    assert parse_repeat(rule.text(), today=TODAY) == rule
    assert rule.to_rrule_string() == "FREQ=WEEKLY;BYDAY=TU"


def test_a_rule_that_can_never_match_is_refused_quickly() -> None:
    rule = parse_repeat("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", today=TODAY)
    with pytest.raises(UserFacingError) as caught:
        rule.check_start(helsinki(2027, 1, 5, 10))
    assert "gives no date" in caught.value.message
    assert rule.occurrences(helsinki(2027, 1, 5, 10)) == [helsinki(2027, 1, 5, 10)]


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("yearly", "every year on the same date"),
        ("monthly on the 15th", "every month on day 15"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "the last day of every month"),
        ("FREQ=DAILY;BYDAY=MO,WE", "every week on Mondays and Wednesdays"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "by the calendar rule FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
        ("FREQ=WEEKLY;BYDAY=TU\nEXDATE:20261215", "every week on Tuesdays; dates left out: 1"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=50", "every day, 50 times"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR,SA,SU",
            "every 2 weeks on Mondays, "
            "Tuesdays, Wednesdays, Thursdays, Fridays, Saturdays and Sundays",
        ),
    ],
)
def test_describe_new_shapes(text: str, english: str) -> None:
    assert parse_repeat(text, today=TODAY).describe("en") == english


# -- review 2: an until before the start, an ending alone -----------------------------------------


@pytest.mark.parametrize(
    "text", ["weekly until 2026-12-01", "RRULE:FREQ=WEEKLY;UNTIL=20261201T000000Z"]
)
def test_an_until_before_the_first_date_is_refused_naming_it(text: str) -> None:
    start = helsinki(2026, 12, 2, 14)
    with pytest.raises(UserFacingError) as caught:
        parse_repeat(text, today=TODAY).check_start(start)
    assert "before its first date" in caught.value.message
    assert caught.value.params["start"] == int(start.timestamp())


def test_an_until_on_the_first_date_is_one_date() -> None:
    rule = parse_repeat("weekly until 2026-12-02", today=TODAY)
    start = helsinki(2026, 12, 2, 14)
    rule.check_start(start)
    assert rule.occurrences(start) == [start]


@pytest.mark.parametrize(
    "text", ["count 10", "10 times", "10 kertaa", "until 2027-06-30", "30.6.2027 asti"]
)
def test_an_ending_alone_is_refused_as_an_ending(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_repeat(text, today=TODAY)
    assert "says when a series ends" in caught.value.message
    assert parse_repeat(f"weekly {text}", today=TODAY).freq == "weekly"
