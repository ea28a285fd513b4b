"""Times, lengths and dates as members type them, in English and Finnish.

The relative base is Saturday 2026-11-28 12:00 in Helsinki (UTC+2). Every accepted form has an
exact expected result: a parser that accepts a phrase must read it right (see FACTS.md for the
Finnish forms dateparser gets wrong).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserFacingError
from bot.timeparse import (
    AMBIGUOUS_NOTE,
    DAYS_RANGE,
    DEFAULT_ZONE_NOTE,
    NEEDS_TIME,
    NO_DAY,
    OUT_OF_WINDOW,
    PARTLY_READ,
    RANGE_BACKWARDS_OR_OFFSET,
    SEVERAL_READINGS,
    UNREADABLE_DATE,
    UNREADABLE_DURATION,
    UNREADABLE_TIME,
    ZONE_SEASON,
    ZONE_UNREAD,
    format_offset,
    parse_date,
    parse_duration,
    parse_offsets,
    parse_when,
    warm_up,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=HELSINKI).astimezone(UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601: without an offset in the member's zone, with one exact
        ("2026-12-03 14:00", local(2026, 12, 3, 14)),
        ("2026-12-03T14:00", local(2026, 12, 3, 14)),
        ("2026-12-03T14:00:00+01:00", local(2026, 12, 3, 15)),
        ("2026-12-03T12:00Z", local(2026, 12, 3, 14)),
        ("2026-12-03 klo 14", local(2026, 12, 3, 14)),
        # European dates, Finnish clock words and the dot between hours and minutes
        ("3.12.2026 14:00", local(2026, 12, 3, 14)),
        ("3.12. 14:00", local(2026, 12, 3, 14)),
        ("3.12. klo 14", local(2026, 12, 3, 14)),
        ("3.12.2026 klo 14.30", local(2026, 12, 3, 14, 30)),
        ("3.12 10.12", local(2026, 12, 3, 10, 12)),  # date first: the second is the time
        ("5.1. klo 9", local(2027, 1, 5, 9)),  # passed this year: next year
        # Discord timestamps
        ("<t:1794999960>", datetime.fromtimestamp(1794999960, UTC)),
        ("<t:1794999960:F>", datetime.fromtimestamp(1794999960, UTC)),
        # English phrases
        ("tomorrow 14:00", local(2026, 11, 29, 14)),
        ("Tomorrow at 2pm", local(2026, 11, 29, 14)),
        ("next Tuesday 10:00", local(2026, 12, 1, 10)),
        ("next tue 10am", local(2026, 12, 1, 10)),
        ("in 2 hours", local(2026, 11, 28, 14)),
        ("in 30 minutes", local(2026, 11, 28, 12, 30)),
        ("in an hour", local(2026, 11, 28, 13)),
        ("14:00", local(2026, 11, 28, 14)),  # still ahead today
        ("10:00", local(2026, 11, 29, 10)),  # gone today: tomorrow
        ("saturday 14:00", local(2026, 11, 28, 14)),  # today is Saturday, 14:00 is ahead
        ("saturday 10:00", local(2026, 12, 5, 10)),  # ...10:00 is gone
        ("next saturday 14:00", local(2026, 12, 5, 14)),  # "next" is never today
        # Finnish phrases
        ("huomenna 14:00", local(2026, 11, 29, 14)),
        ("huomenna klo 14", local(2026, 11, 29, 14)),
        ("huomenna kello 14", local(2026, 11, 29, 14)),
        ("ylihuomenna 9:30", local(2026, 11, 30, 9, 30)),
        ("tiistaina klo 10", local(2026, 12, 1, 10)),
        ("tiistaina 10", local(2026, 12, 1, 10)),
        ("ensi tiistaina 10:00", local(2026, 12, 1, 10)),
        ("tiistai 10:00", local(2026, 12, 1, 10)),
        ("ti klo 10", local(2026, 12, 1, 10)),
        ("lauantaina klo 14", local(2026, 11, 28, 14)),
        ("ensi lauantaina klo 14", local(2026, 12, 5, 14)),
        ("2 tunnin päästä", local(2026, 11, 28, 14)),
        ("30 minuutin päästä", local(2026, 11, 28, 12, 30)),
        ("tunnin kuluttua", local(2026, 11, 28, 13)),
        # forms only dateparser knows, checked against the clock time written
        ("3 December 2026 at 2pm", local(2026, 12, 3, 14)),
        ("3. joulukuuta klo 14", local(2026, 12, 3, 14)),
        ("14:00 UTC", local(2026, 11, 28, 16)),
    ],
)
def test_times_members_write(text: str, expected: datetime) -> None:
    parsed = parse_when(text, tz=HELSINKI, now=NOW)
    assert parsed.utc == expected
    assert parsed.utc.tzinfo is UTC
    assert parsed.local == expected and parsed.local.tzinfo is HELSINKI
    assert not parsed.ambiguous and parsed.note is None


@pytest.mark.parametrize("language", ["en", "fi"])
def test_the_members_language_only_orders_the_guesses(language: str) -> None:
    parsed = parse_when("huomenna klo 14", tz=HELSINKI, now=NOW, language=language)
    assert parsed.local == local(2026, 11, 29, 14)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3.12.2026", NEEDS_TIME),
        ("2026-12-03", NEEDS_TIME),
        ("huomenna", NEEDS_TIME),
        ("tiistaina", NEEDS_TIME),
        ("next tuesday", NEEDS_TIME),
        ("December 3", NEEDS_TIME),
        ("", UNREADABLE_TIME),
        ("soon", UNREADABLE_TIME),
        ("tomorrow 25:00", UNREADABLE_TIME),
        ("tomorrow 13pm", UNREADABLE_TIME),
        ("3 December 13pm", UNREADABLE_TIME),
        ("31.2.2027 10:00", UNREADABLE_TIME),  # no such day
        ("<t:99999999999999>", UNREADABLE_TIME),
        ("3.12", NEEDS_TIME),  # a date first, as in "3.12 10.12"
        ("ensi viikolla", NO_DAY),
        ("next week 10:00", NO_DAY),  # which day? dateparser would pick one
        ("in 0 minutes", UNREADABLE_TIME),  # Finnish the grammar lacks: never guessed
        ("2026-13-01 10:00", UNREADABLE_TIME),
        ("monday lauantaina", UNREADABLE_TIME),  # two weekdays, no time
    ],
)
def test_refused_with_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW)
    assert caught.value.message == message
    assert caught.value.params["text"] == text.strip()


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("<t:1796128154:F>", datetime.fromtimestamp(1796128154, UTC)),
        ("<t:1796128154>", datetime.fromtimestamp(1796128154, UTC)),
        ("2026-12-03 14:29:14", local(2026, 12, 3, 14, 29).replace(second=14)),
        (
            "2026-12-03T14:29:14.999999+02:00",
            local(2026, 12, 3, 14, 29).replace(second=14, microsecond=999999),
        ),
        ("2026-12-03T12:29:59Z", local(2026, 12, 3, 14, 29).replace(second=59)),
    ],
)
def test_seconds_are_cut_to_the_minute_and_the_member_is_told(text: str, typed: datetime) -> None:
    parsed = parse_when(text, tz=HELSINKI, now=NOW)
    minute = typed.replace(second=0, microsecond=0)
    assert parsed.utc == minute and parsed.local == minute and parsed.typed == typed
    assert (parsed.utc.second, parsed.utc.microsecond) == (0, 0)
    (line,) = parsed.explain("en")
    exact, cut = int(typed.timestamp()), int(minute.timestamp())
    assert line == (
        f"<t:{exact}:T> is rounded down to <t:{cut}:t>: times are kept to the whole minute."
    )
    assert f"<t:{cut}:t>" in parsed.explain("fi")[0]


def test_whole_minutes_and_relative_phrases_are_not_reported_as_rounded() -> None:
    assert parse_when("2026-12-03 14:29", tz=HELSINKI, now=NOW).explain("en") == []
    odd_now = NOW + timedelta(seconds=37, microseconds=5)
    parsed = parse_when("in 2 hours", tz=HELSINKI, now=odd_now)
    assert parsed.utc == NOW + timedelta(hours=2) and parsed.explain("en") == []


def test_a_cut_time_that_happens_twice_keeps_its_fold_and_both_notes() -> None:
    parsed = parse_when("2027-10-31 03:30:30", tz=HELSINKI, now=NOW)
    assert parsed.local.fold == 0 and parsed.utc == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert len(parsed.explain("en")) == 2


@pytest.mark.parametrize("text", ["2027-03-28 03:30", "28.3.2027 klo 3.30"])
def test_a_time_the_clocks_skip_is_refused(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW)
    assert "does not exist" in caught.value.message
    assert caught.value.params == {
        "time": "03:30",
        "zone": "Europe/Helsinki",
        "date": "2027-03-28",
        "later": "04:30",
    }


@pytest.mark.parametrize("text", ["2027-10-31 03:30", "31.10.2027 klo 3.30"])
def test_a_time_that_happens_twice_takes_the_first(text: str) -> None:
    parsed = parse_when(text, tz=HELSINKI, now=NOW)
    assert parsed.ambiguous and parsed.note == AMBIGUOUS_NOTE
    assert parsed.utc == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still summer time, +03:00
    assert parsed.local.fold == 0 and parsed.local.hour == 3


def test_an_offset_settles_a_time_that_happens_twice() -> None:
    parsed = parse_when("2027-10-31T03:30+02:00", tz=HELSINKI, now=NOW)
    assert not parsed.ambiguous
    assert parsed.utc == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_relative_phrases_count_real_time_across_a_clock_change() -> None:
    before_change = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # 02:30 in Helsinki
    parsed = parse_when("in 2 hours", tz=HELSINKI, now=before_change)
    assert parsed.utc == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    assert parsed.local.hour == 5  # 02:30 + 2 h, and the clocks jumped an hour


def test_warm_up_loads_dateparser() -> None:
    warm_up()


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90m", 90),
        ("1h30m", 90),
        ("1h 30min", 90),
        ("2 h", 120),
        ("1d", 24 * 60),
        ("1,5 h", 90),
        ("1.5h", 90),
        ("45 min", 45),
        ("2 tuntia", 120),
        ("30 minuuttia", 30),
        ("1 päivä", 24 * 60),
        ("2 päivää", 2 * 24 * 60),
        ("1 viikko", 7 * 24 * 60),
        ("1 hour and 30 minutes", 90),
        ("2 Hours", 120),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", UNREADABLE_DURATION),
        ("90", UNREADABLE_DURATION),
        ("an hour", UNREADABLE_DURATION),
        ("1h 1h", UNREADABLE_DURATION),
        ("-5m", UNREADABLE_DURATION),
        ("2 fortnights", UNREADABLE_DURATION),
        ("0m", "shorter than a minute"),
        ("400d", "too long"),
    ],
)
def test_bad_durations(text: str, fragment: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_duration(text)
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1d, 1h, 15m", [1440, 60, 15]),
        ("15m,1d,1h", [1440, 60, 15]),
        ("1h, 60m", [60]),
        ("1,5h, 30m", [90, 30]),
        ("1 päivä; 2 tuntia", [1440, 120]),
        ("60d", [60 * 1440]),
    ],
)
def test_reminder_offsets(text: str, minutes: list[int]) -> None:
    assert parse_offsets(text) == [timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "at least one"),
        (" , ", "at least one"),
        ("1d, 2d, 3d, 4d, 5d, 6d", "At most {limit} reminders"),
        ("61d", "at most {days} days"),
        ("1d, soon", UNREADABLE_DURATION),
    ],
)
def test_bad_reminder_offsets(text: str, fragment: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_offsets(text)
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(1440, "1d"), (90, "1h30m"), (15, "15m"), (1500, "1d1h"), (0, "0m"), (10080, "7d")],
)
def test_format_offset_is_compact_and_reads_back(minutes: int, text: str) -> None:
    assert format_offset(timedelta(minutes=minutes)) == text
    if minutes:
        assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-06-30", date(2027, 6, 30)),
        ("30.6.2027", date(2027, 6, 30)),
        ("30.6.", date(2027, 6, 30)),
        ("1.12.", date(2026, 12, 1)),
        ("28.11.", date(2026, 11, 28)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=date(2026, 11, 28)) == expected


@pytest.mark.parametrize("text", ["31.2.2027", "tomorrow", "2027-06", "30/6/2027", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_date(text, today=date(2026, 11, 28))
    assert caught.value.message == UNREADABLE_DATE


def test_a_date_without_a_year_needs_today() -> None:
    with pytest.raises(UserFacingError):
        parse_date("30.6.")


# -- ranges, contradictions, bare hours, day-first dates, bounds (issue 7) ------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("huomenna klo 14-16", local(2026, 11, 29, 14), local(2026, 11, 29, 16)),
        ("huomenna klo 14 - 16", local(2026, 11, 29, 14), local(2026, 11, 29, 16)),
        ("3.12. klo 9.30-11", local(2026, 12, 3, 9, 30), local(2026, 12, 3, 11)),
        ("tomorrow 9:00-10", local(2026, 11, 29, 9), local(2026, 11, 29, 10)),
        ("2026-12-03 14:00–16:30", local(2026, 12, 3, 14), local(2026, 12, 3, 16, 30)),
        ("9:00-10", local(2026, 11, 29, 9), local(2026, 11, 29, 10)),  # 9:00 is gone today
        ("klo 14-16", local(2026, 11, 28, 14), local(2026, 11, 28, 16)),  # never "the 16th"
        # after an ISO date "-16:00" is the end, not a UTC offset (review 2, #1)
        ("2026-12-03 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("2026-12-03T14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("2026-12-03 14:00 - 16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        # named dates take a range like numeric ones (review 2, #16)
        ("December 3 14:00-15:00", local(2026, 12, 3, 14), local(2026, 12, 3, 15)),
        ("3 December 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("3. joulukuuta klo 14-16", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("thursday 3 december 2026 9:00-10:30", local(2026, 12, 3, 9), local(2026, 12, 3, 10, 30)),
        ("3 December 14:00-16:00 UTC", local(2026, 12, 3, 16), local(2026, 12, 3, 18)),
    ],
)
def test_a_range_sets_start_and_end(text: str, start: datetime, end: datetime) -> None:
    parsed = parse_when(text, tz=HELSINKI, now=NOW, allow_range=True)
    assert (parsed.utc, parsed.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("huomenna klo 16-14", "end comes before the start"),
        ("huomenna klo 14-16-18", "time range"),
        ("huomenna klo 9-5", "can be read as"),  # 05:00 or 17:00?
        ("3.12.-5.12. klo 10", "range of days"),  # not an event's time
    ],
)
def test_ranges_that_do_not_read_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW, allow_range=True)
    assert fragment in caught.value.message


def test_a_range_where_one_time_is_wanted_is_refused() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when("huomenna klo 14-16", tz=HELSINKI, now=NOW)
    assert "is a range" in caught.value.message


@pytest.mark.parametrize(
    ("text", "by_date", "by_weekday"),
    [
        # 3 December 2026 is a Thursday
        ("wednesday 3 December 10:00", local(2026, 12, 3, 10), local(2026, 12, 2, 10)),
        ("wednesday 3.12. 10:00", local(2026, 12, 3, 10), local(2026, 12, 2, 10)),
        ("ke 3.12. klo 10", local(2026, 12, 3, 10), local(2026, 12, 2, 10)),
        ("keskiviikkona 3.12.2026 klo 10", local(2026, 12, 3, 10), local(2026, 12, 2, 10)),
        ("sunday, 3.12. 10:00", local(2026, 12, 3, 10), local(2026, 12, 6, 10)),
    ],
)
def test_a_weekday_that_is_not_the_dates_is_refused_with_both_readings(
    text: str, by_date: datetime, by_weekday: datetime
) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW)
    assert "does not add up" in caught.value.message
    assert caught.value.params["by_date"] == int(by_date.timestamp())
    assert caught.value.params["by_weekday"] == int(by_weekday.timestamp())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thursday 3.12. 10:00", local(2026, 12, 3, 10)),
        ("to 3.12. klo 10", local(2026, 12, 3, 10)),
        ("Thursday 3 December 2026 10:00", local(2026, 12, 3, 10)),
    ],
)
def test_a_weekday_that_agrees_with_the_date_is_fine(text: str, expected: datetime) -> None:
    assert parse_when(text, tz=HELSINKI, now=NOW).utc == expected


@pytest.mark.parametrize(
    "text", ["tomorrow at 2", "huomenna klo 2", "3.12. klo 7", "tomorrow 5", "at 3"]
)
def test_a_bare_hour_from_1_to_7_is_refused_with_both_readings(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW)
    assert caught.value.message == SEVERAL_READINGS
    assert caught.value.params["readings"].count("<t:") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow at 02", local(2026, 11, 29, 2)),
        ("tomorrow at 2:30", local(2026, 11, 29, 2, 30)),
        ("tomorrow at 2pm", local(2026, 11, 29, 14)),
        ("huomenna klo 8", local(2026, 11, 29, 8)),
        ("huomenna klo 14", local(2026, 11, 29, 14)),
        ("huomenna klo 0", local(2026, 11, 29, 0)),
    ],
)
def test_hours_with_one_reading(text: str, expected: datetime) -> None:
    assert parse_when(text, tz=HELSINKI, now=NOW).utc == expected


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("12/3 14:00", True, local(2027, 3, 12, 14)),
        ("12/3 14:00", False, local(2026, 12, 3, 14)),
        ("12/3/2027 klo 14", True, local(2027, 3, 12, 14)),
        ("3/12/2027 14:00", False, local(2027, 3, 12, 14)),
    ],
)
def test_slash_dates_follow_the_members_locale(
    text: str, day_first: bool, expected: datetime
) -> None:
    assert parse_when(text, tz=HELSINKI, now=NOW, day_first=day_first).utc == expected


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01 00:00",
        "9999-12-31 23:59",
        "9999-12-31T23:59+14:00",
        "1.1.9999 klo 10",
        "31.12.0001 klo 10",
        "1 January 9999 10:00",
        "<t:253402300799>",  # 9999-12-31
        "2040-01-01 10:00",
        "2010-01-01 10:00",
    ],
)
def test_years_far_from_now_are_refused(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW)
    assert caught.value.message in (OUT_OF_WINDOW, UNREADABLE_TIME)


@pytest.mark.parametrize(
    "text",
    [
        "3 December banana 14:00",  # a word dateparser skipped
        "3 December 2027 14:00 2026",  # a second year
        "in the 3 December 14:00 maybe",
    ],
)
def test_a_guess_that_skipped_part_of_the_phrase_is_refused(text: str) -> None:
    with pytest.raises(UserFacingError):
        parse_when(text, tz=HELSINKI, now=NOW)


def test_a_long_time_is_refused_before_reading() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when("tomorrow " * 50, tz=HELSINKI, now=NOW)
    assert "characters long" in caught.value.message


# -- review 2: offsets, named zones, seconds, refusals that say why ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the offset forms that stay: Z and + after an ISO time, any offset in the machine form
        ("2026-12-03 14:00Z", datetime(2026, 12, 3, 14, tzinfo=UTC)),
        ("2026-12-03 14:00+02:00", datetime(2026, 12, 3, 12, tzinfo=UTC)),
        ("2026-12-03T14:00:00-05:00", datetime(2026, 12, 3, 19, tzinfo=UTC)),
        # a zone at the end (review 2, #17)
        ("tomorrow 14:00 UTC", datetime(2026, 11, 29, 14, tzinfo=UTC)),
        ("tomorrow 14:00 GMT", datetime(2026, 11, 29, 14, tzinfo=UTC)),
        ("tomorrow 14:00 CET", datetime(2026, 11, 29, 13, tzinfo=UTC)),
        ("tomorrow 14:00 EET", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("tomorrow 14:00 WET", datetime(2026, 11, 29, 14, tzinfo=UTC)),
        ("tomorrow 14:00 Helsinki time", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("tomorrow 14:00 Brussels", datetime(2026, 11, 29, 13, tzinfo=UTC)),
        ("3.12. klo 14 (Lisbon time)", datetime(2026, 12, 3, 14, tzinfo=UTC)),
        ("tomorrow 14:00 New York time", datetime(2026, 11, 29, 19, tzinfo=UTC)),
        ("tomorrow 14:00 UTC-5", datetime(2026, 11, 29, 19, tzinfo=UTC)),
        ("tomorrow 14:00 UTC+05:30", datetime(2026, 11, 29, 8, 30, tzinfo=UTC)),
        ("tomorrow 14:00 +02:00", datetime(2026, 11, 29, 12, tzinfo=UTC)),
        ("tomorrow 14:00z", datetime(2026, 11, 29, 14, tzinfo=UTC)),
        ("2027-07-01 14:00 CEST", datetime(2027, 7, 1, 12, tzinfo=UTC)),
        # seconds after any date form (review 2, #23): cut to the minute, with the note
        ("tomorrow 14:29:14", datetime(2026, 11, 29, 12, 29, tzinfo=UTC)),
        ("huomenna klo 14:29:14", datetime(2026, 11, 29, 12, 29, tzinfo=UTC)),
        ("3 December 14:29:59", datetime(2026, 12, 3, 12, 29, tzinfo=UTC)),
    ],
)
def test_offsets_zones_and_seconds(text: str, expected: datetime) -> None:
    parsed = parse_when(text, tz=HELSINKI, now=NOW)
    assert parsed.utc == expected
    assert parsed.local.tzinfo is HELSINKI


def test_seconds_are_rounded_with_a_note() -> None:
    parsed = parse_when("tomorrow 14:29:14", tz=HELSINKI, now=NOW)
    assert parsed.typed == datetime(2026, 11, 29, 12, 29, 14, tzinfo=UTC)
    assert any("rounded down" in line for line in parsed.explain("en"))


@pytest.mark.parametrize(
    ("text", "message", "params"),
    [
        ("2026-12-03 14:00-05:00", RANGE_BACKWARDS_OR_OFFSET, {}),
        ("3.12.-5.12.", DAYS_RANGE, {}),
        ("3.12.-5.12. klo 10", DAYS_RANGE, {}),
        ("3.-5.12. klo 10", DAYS_RANGE, {}),
        ("next week 10:00", NO_DAY, {}),
        ("ensi viikolla", NO_DAY, {}),
        ("ensi viikolla klo 10", NO_DAY, {}),
        ("3 December banana 14:00", PARTLY_READ, {"words": "banana"}),
        ("huomenna klo 14 etänä", PARTLY_READ, {"words": "etänä"}),
        ("tomorrow 14:00 PST", ZONE_UNREAD, {"zone": "PST", "mine": "Europe/Helsinki"}),
        ("tomorrow 14:00 EST", ZONE_UNREAD, {"zone": "EST"}),
        ("tomorrow 14:00 IST", ZONE_UNREAD, {"zone": "IST"}),
        ("huomenna klo 14 Helsingin aikaa", ZONE_UNREAD, {"zone": "helsingin"}),
        ("tomorrow 14:00 UTC+15", ZONE_UNREAD, {}),
        # CET named for a summer date: Central Europe is on CEST then; both readings shown
        ("2027-07-01 14:00 CET", ZONE_SEASON, {"other": "CEST", "offset": "+1"}),
    ],
)
def test_refusals_say_why(text: str, message: str, params: dict[str, str]) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when(text, tz=HELSINKI, now=NOW, allow_range=True)
    assert caught.value.message == message
    assert params.items() <= caught.value.params.items()


def test_the_english_range_hint_offers_no_finnish() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when("tomorrow 14-16-18", tz=HELSINKI, now=NOW, allow_range=True)
    assert "klo" not in caught.value.message


def test_a_time_read_in_the_default_zone_says_so() -> None:
    parsed = parse_when("huomenna klo 14", tz=HELSINKI, now=NOW, zone_note=DEFAULT_ZONE_NOTE)
    [note] = parsed.explain("en")
    assert "Europe/Helsinki" in note and "huomenna klo 14" in note and "/timezone set" in note
    assert "/aikavyöhyke aseta" in parsed.explain("fi")[0]
    # the member's own zone, a named zone or an exact instant: nothing to say
    assert parse_when("huomenna klo 14", tz=HELSINKI, now=NOW).explain("en") == []
    for exact in ("tomorrow 14:00 UTC", "in 2 hours", "2026-12-03 14:00Z"):
        exactly = parse_when(exact, tz=HELSINKI, now=NOW, zone_note=DEFAULT_ZONE_NOTE)
        assert exactly.explain("en") == []


def test_a_refusal_with_readings_in_the_default_zone_names_it() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_when("huomenna klo 2", tz=HELSINKI, now=NOW, zone_note=DEFAULT_ZONE_NOTE)
    assert caught.value.message == SEVERAL_READINGS
    assert caught.value.notes == [
        (DEFAULT_ZONE_NOTE, {"text": "huomenna klo 2", "zone": "Europe/Helsinki"})
    ]
