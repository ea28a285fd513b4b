"""Time phrases, lengths, reminder offsets, dates, links and occurrence keys on generated input.

The rule (issue 7): any input gives a result that reads back, or a UserFacingError, within
100 ms of CPU. Generated phrases with a known meaning, in English and Finnish and several zones,
read as that meaning or are refused, never read as something else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import UserFacingError
from bot.timeparse import (
    WINDOW_YEARS,
    format_offset,
    localise,
    parse_date,
    parse_duration,
    parse_offsets,
    parse_when,
    warm_up,
)
from cogs.events._rules import Override, Schedule, check_link, key_minute
from tests.budget import answered

ZONES = tuple(
    ZoneInfo(z)
    for z in (
        "Europe/Helsinki",
        "Europe/Brussels",
        "Europe/Lisbon",
        "America/New_York",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "UTC",
    )
)
EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FI_DAYS = ("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina")
FI_DAYS += ("lauantaina", "sunnuntaina")
EN_MONTHS = "january february march april may june july august september october november"
EN_MONTHS += " december"
FI_MONTHS = "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta"
FI_MONTHS += " elokuuta syyskuuta lokakuuta marraskuuta joulukuuta"


@pytest.fixture(scope="module", autouse=True)
def _dateparser_loaded() -> None:
    warm_up()  # its first use loads language data: a one-off cost, not a parse's


nows = st.builds(
    lambda day, second: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, seconds=second),
    st.integers(0, 4 * 365),
    st.integers(0, 86_399),
)
WORDS = st.sampled_from(
    [
        "tomorrow", "today", "next", "this", "on", "at", "in", "hours", "hour", "minutes", "an",
        "huomenna", "tänään", "ylihuomenna", "ensi", "klo", "kello", "päästä", "kuluttua",
        "tunnin", "tuntia", "minuutin", "noon", "midnight", "am", "pm", "utc", "z", "cet",
        "eest", "helsinki", "time", "pst", "banana", "utc+2", "+02:00", "14:29:14", "viikolla",
        *EN_DAYS, *FI_DAYS, "ti", "tue", "ke", *EN_MONTHS.split()[:4], *FI_MONTHS.split()[:4],
        "3.12.", "3.12.2026", "12/3", "2026-12-03", "31.2.2027", "1.1.9999", "0001-01-01",
        "14:00", "14.30", "2", "7", "14", "25:00", "9:00-10", "14-16", "16-14", "-", "–", ",",
        "<t:1796128154:F>", "<t:-1>", "<t:999999999999>", "2026-12-03T14:29:14.5+05:45",
        "9" * 30, "²", "٣", "\u00a0",
    ]
)  # fmt: skip
phrases = st.one_of(
    st.text(max_size=120),
    st.lists(WORDS, max_size=8).map(" ".join),
    st.lists(WORDS, max_size=8).map("".join),
)


@given(
    text=phrases,
    zone=st.sampled_from(ZONES),
    now=nows,
    language=st.sampled_from(["en", "fi"]),
    day_first=st.booleans(),
    allow_range=st.booleans(),
)
def test_any_text_is_a_time_that_reads_back_or_a_refusal_in_time(
    text: str, zone: ZoneInfo, now: datetime, language: str, day_first: bool, allow_range: bool
) -> None:
    parsed = answered(
        parse_when,
        text,
        tz=zone,
        now=now,
        language=language,
        day_first=day_first,
        allow_range=allow_range,
    )
    if isinstance(parsed, UserFacingError):
        return
    assert parsed.utc.tzinfo is UTC and parsed.local.tzinfo is zone
    assert parsed.local == parsed.utc and (parsed.utc.second, parsed.utc.microsecond) == (0, 0)
    assert abs(parsed.utc - now) <= timedelta(days=round(365.25 * WINDOW_YEARS))
    assert parsed.end is None or (allow_range and parsed.end > parsed.utc)
    for written in (parsed.local.isoformat(), f"<t:{int(parsed.utc.timestamp())}:F>"):
        assert parse_when(written, tz=zone, now=now).utc == parsed.utc
    for line in parsed.explain(language):
        assert "<t:" in line or line


@st.composite
def meant_times(draw: st.DrawFn) -> tuple[str, datetime, ZoneInfo, datetime, bool]:
    """(phrase, wall time meant, zone, now, whether the phrase has a weekday that agrees)."""
    zone = draw(st.sampled_from(ZONES))
    now = draw(nows)
    local_now = now.astimezone(zone)
    day = local_now.date() + timedelta(days=draw(st.integers(1, 700)))
    hour = draw(st.integers(0, 23))
    minute = draw(st.integers(0, 59))
    wall = datetime.combine(day, time(hour, minute))
    d, m, y, hh, mm = day.day, day.month, day.year, hour, minute
    en_month, fi_month = EN_MONTHS.split()[m - 1], FI_MONTHS.split()[m - 1]
    forms = [
        f"{y}-{m:02}-{d:02} {hh:02}:{mm:02}",
        f"{d}.{m}.{y} klo {hh}.{mm:02}",
        f"{d}.{m}.{y} {hh}:{mm:02}",
        f"{EN_DAYS[day.weekday()]} {d}.{m}.{y} {hh}:{mm:02}",
        f"{FI_DAYS[day.weekday()]} {d}.{m}.{y} klo {hh}.{mm:02}",
        f"{d} {en_month} {y} at {hh}:{mm:02}",
        f"{d}. {fi_month} {y} klo {hh}:{mm:02}",
        f"{d}/{m}/{y} {hh:02}:{mm:02}",
        f"{en_month} {d}, {y} {hh:02}:{mm:02}:{draw(st.integers(0, 59)):02}",  # seconds: cut
        f"{FI_DAYS[day.weekday()]} {d}. {fi_month} {y} klo {hh}:{mm:02}",
    ]
    if hour == 0 or hour >= 8:  # a bare hour from 1 to 7 is asked about
        forms.append(f"{d}.{m}.{y} klo {hh}" if mm == 0 else f"{d}.{m}.{y} klo {hh}.{mm:02}")
    if day - local_now.date() == timedelta(days=1):
        forms += [f"tomorrow {hh:02}:{mm:02}", f"huomenna klo {hh}.{mm:02}"]
    return draw(st.sampled_from(forms)), wall, zone, now, True


FI_MONTH_NAMES = FI_MONTHS.split()
EN_MONTH_NAMES = EN_MONTHS.split()


@st.composite
def meant_ranges(draw: st.DrawFn) -> tuple[str, datetime, datetime, ZoneInfo, datetime]:
    """(a range after any date form, the wall start and end meant, zone, now). After an ISO date
    ``14:00-16:00`` is a range, never 14:00 at UTC-16:00 (review 2, #1)."""
    zone = draw(st.sampled_from(ZONES))
    now = draw(nows)
    day = now.astimezone(zone).date() + timedelta(days=draw(st.integers(1, 700)))
    start = draw(st.integers(0, 23 * 60 - 1))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    (h, m), (eh, em) = divmod(start, 60), divmod(end, 60)
    d, mo, y = day.day, day.month, day.year
    span = f"{h:02}:{m:02}-{eh:02}:{em:02}"
    date_text = draw(
        st.sampled_from(
            [
                f"{y}-{mo:02}-{d:02} ",
                f"{y}-{mo:02}-{d:02}T",
                f"{d}.{mo}.{y} ",
                f"{d} {EN_MONTH_NAMES[mo - 1]} {y} ",
                f"{EN_MONTH_NAMES[mo - 1]} {d}, {y} ",
                f"{d}. {FI_MONTH_NAMES[mo - 1]} {y} klo ",
                f"{EN_DAYS[day.weekday()]} {d} {EN_MONTH_NAMES[mo - 1]} {y} ",
            ]
        )
    )
    wall = datetime.combine(day, time(h, m)), datetime.combine(day, time(eh, em))
    return date_text + span, *wall, zone, now


@given(case=meant_ranges())
def test_a_range_after_any_date_form_is_that_range(
    case: tuple[str, datetime, datetime, ZoneInfo, datetime],
) -> None:
    text, start, end, zone, now = case
    (placed_start, gap_start, _), (placed_end, gap_end, _) = (
        localise(start, zone),
        localise(end, zone),
    )
    parsed = answered(parse_when, text, tz=zone, now=now, allow_range=True)
    if gap_start or gap_end or placed_end <= placed_start:
        assert isinstance(parsed, UserFacingError)
        return
    assert not isinstance(parsed, UserFacingError), (text, parsed)
    assert (parsed.utc, parsed.end) == (placed_start.astimezone(UTC), placed_end.astimezone(UTC))


NAMED_ZONES = {
    "UTC": ZoneInfo("UTC"),
    "GMT": ZoneInfo("UTC"),
    "Helsinki time": ZoneInfo("Europe/Helsinki"),
    "(Lisbon time)": ZoneInfo("Europe/Lisbon"),
    "Brussels": ZoneInfo("Europe/Brussels"),
    "New York time": ZoneInfo("America/New_York"),
    "UTC+5:45": ZoneInfo("Asia/Kathmandu"),  # fixed +05:45 all year
    "UTC-3": ZoneInfo("America/Sao_Paulo"),  # fixed -03:00 since 2019
}
SEASONAL = {"CET": "Europe/Brussels", "CEST": "Europe/Brussels", "EET": "Europe/Helsinki"}
SEASONAL |= {"EEST": "Europe/Helsinki", "WET": "Europe/Lisbon", "BST": "Europe/London"}
SEASONAL_OFFSETS = {"CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0, "BST": 1}


@given(
    member=st.sampled_from(ZONES),
    now=nows,
    ahead=st.integers(1, 700),
    minute=st.integers(0, 24 * 60 - 1),
    name=st.sampled_from(sorted(NAMED_ZONES) + sorted(SEASONAL)),
    seconds=st.booleans(),
)
def test_a_zone_named_at_the_end_is_read_in_that_zone(
    member: ZoneInfo, now: datetime, ahead: int, minute: int, name: str, seconds: bool
) -> None:
    """``14:00 CET``, ``UTC+2``, ``Helsinki time`` (review 2, #17): read in that zone, whatever
    the member's; an abbreviation the region's clocks are not on that day is asked about."""
    day = now.astimezone(member).date() + timedelta(days=ahead)
    wall = datetime.combine(day, time(*divmod(minute, 60)))
    clock = f"{wall:%H:%M}" + (":37" if seconds else "")
    text = f"{day.isoformat()} {clock} {name}"
    parsed = answered(parse_when, text, tz=member, now=now)
    zone = NAMED_ZONES.get(name) or ZoneInfo(SEASONAL[name])
    placed, in_gap, _ = localise(wall, zone)
    if in_gap:
        assert isinstance(parsed, UserFacingError)
        return
    if name in SEASONAL and placed.utcoffset() != timedelta(hours=SEASONAL_OFFSETS[name]):
        assert isinstance(parsed, UserFacingError) and "{other}" in parsed.message
        return
    assert not isinstance(parsed, UserFacingError), (text, parsed)
    assert parsed.utc == placed.astimezone(UTC) and parsed.local.tzinfo is member


@given(case=meant_times())
def test_phrases_with_a_known_meaning_read_as_meant(
    case: tuple[str, datetime, ZoneInfo, datetime, bool],
) -> None:
    text, wall, zone, now, _weekday = case
    placed, in_gap, _ambiguous = localise(wall, zone)
    parsed = answered(parse_when, text, tz=zone, now=now)
    if in_gap:
        assert isinstance(parsed, UserFacingError) and "does not exist" in parsed.message
        return
    assert not isinstance(parsed, UserFacingError), (text, parsed)
    assert parsed.utc == placed.astimezone(UTC), text


@given(
    text=st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "1",
                    "90",
                    "1,5",
                    "2.25",
                    "0",
                    "h",
                    "m",
                    "min",
                    "d",
                    "w",
                    "tuntia",
                    "päivää",
                    "and",
                    "ja",
                    "hours",
                    "9" * 20,
                    " ",
                    ",",
                    ";",
                ]
            ),
            max_size=8,
        ).map("".join),
    )
)
def test_any_text_is_a_length_or_offsets_that_read_back_or_a_refusal(text: str) -> None:
    length = answered(parse_duration, text)
    if not isinstance(length, UserFacingError):
        assert length > timedelta(0) and length % timedelta(minutes=1) == timedelta(0)
        assert parse_duration(format_offset(length)) == length
    offsets = answered(parse_offsets, text)
    if not isinstance(offsets, UserFacingError):
        assert offsets == sorted(set(offsets), reverse=True) and 1 <= len(offsets) <= 5
        assert parse_offsets(", ".join(format_offset(o) for o in offsets)) == offsets


@given(minutes=st.integers(1, 366 * 24 * 60), form=st.integers(0, 3))
def test_lengths_with_a_known_meaning(minutes: int, form: int) -> None:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = [
        format_offset(timedelta(minutes=minutes)),
        f"{minutes} min",
        f"{days} päivää {hours} tuntia {mins} minuuttia" if days and hours and mins else "",
        f"{minutes / 60:.2f} h".replace(".", ",") if minutes % 15 == 0 else "",
    ][form]
    assume(text)
    assert parse_duration(text) == timedelta(minutes=minutes)


@given(
    text=st.one_of(
        st.text(max_size=80),
        st.builds(
            "{}://{}{}".format,
            st.sampled_from(["https", "http", "ftp", "HTTPS", ""]),
            st.text(max_size=30),
            st.text(max_size=30),
        ),
        st.sampled_from(["https://[abc", "https://x.org:99999", "https://[::1]:80/a", "https://"]),
    )
)
def test_any_text_is_a_link_that_reads_back_or_a_refusal(text: str) -> None:
    link = answered(check_link, text)
    if not isinstance(link, UserFacingError):
        assert check_link(link) == link and link.lower().startswith(("http://", "https://"))


@given(text=st.one_of(st.text(max_size=40), st.integers().map(str), st.just("9" * 5000)))
def test_any_text_is_an_occurrence_key_or_nothing_in_time(text: str) -> None:
    start = datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    series = Schedule(start, timedelta(hours=1), "FREQ=DAILY")
    moved = {str(int((start + timedelta(days=3)).timestamp())): Override(cancelled=True)}
    found = answered(series.find, moved, text)
    minute = answered(key_minute, text)
    assert not isinstance(found, UserFacingError) and not isinstance(minute, UserFacingError)
    if found is not None:
        assert int(found.key) % 60 == 0 and minute is not None
        assert found.original_start == minute


@given(text=st.text(max_size=40), today=st.dates(date(2026, 1, 1), date(2035, 12, 31)))
def test_any_text_is_a_date_or_a_refusal(text: str, today: date) -> None:
    found = answered(parse_date, text, today=today)
    if not isinstance(found, UserFacingError):
        assert parse_date(found.isoformat()) == found
