"""What a member typed, as an exact instant, length of time or date.

Members write times in English and Finnish. The forms we know (ISO 8601, ``3.12. klo 14``,
``huomenna 14:00``, ``ensi tiistaina 10``, ``in 2 hours``, ``2 tunnin päästä``, Discord
timestamps) are read by our own small grammar, because dateparser misreads several Finnish forms
without complaint (see FACTS.md: ``huomenna klo 14`` comes back as 12:00). Only what the grammar
does not know goes to dateparser, and its answer is accepted only when the clock time in the text
agrees with it. A reading that could be wrong is refused: a reminder at the wrong hour is worse
than a second try.

Wall-clock readings are placed in the member's zone with zoneinfo: a time that the clocks skip
is refused, a time that happens twice takes the first and says so (``ParsedTime.ambiguous``).

Every time leaves this module on a whole minute: that is the precision members expect, the one
the database keeps, and the one occurrence keys are made of. Seconds (a pasted Discord timestamp,
``14:29:14``) are cut here and only here, the way Discord itself shows ``<t:…:F>``, and the member
is told (``ParsedTime.explain``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.zones import all_zones, pick_zone, zone_words

UNREADABLE_TIME = _(
    "I couldn't read “{text}” as a time. Try 2026-12-03 14:00, 3.12. klo 14, "
    "tomorrow 14:00 or in 2 hours."
)
# Said for an event's start and a poll's close alike.
NEEDS_TIME = _("“{text}” is a date without a time: add one, e.g. “{example}”.")
SEVERAL_READINGS = _(
    "“{text}” can be read as {readings}. Write the one you mean: a 24-hour time (14:00, "
    "02:00) or am/pm settles it."
)
CONTRADICTION = _(
    "“{text}” does not add up: the date says <t:{by_date}:F>, the weekday <t:{by_weekday}:F>. "
    "Write the one you mean."
)
OUT_OF_WINDOW = _("“{text}” is too far from today: give a time within {years} years of now.")
TOO_LONG_TIME = _("That time is {length} characters long; keep it within {limit}.")
RANGE_BACKWARDS = _("In “{text}” the end comes before the start: write it as 14-16 or 9:00-10:30.")
# After an ISO date a "-16:00" is a range, never a UTC offset (see _ISO_DATETIME): say how to
# write an offset when such a range runs backwards.
RANGE_BACKWARDS_OR_OFFSET = _(
    "In “{text}” the end comes before the start. A range is written 14:00-16:00; a UTC offset "
    "is written +02:00, Z or UTC-05:00."
)
UNREADABLE_RANGE = _(
    "I couldn't read “{text}” as a time range. Write a date (2026-12-03, 3.12., 3 December or "
    "tomorrow) and then the range, e.g. 14:00-16:00 or 9:00-10:30."
)
DAYS_RANGE = _(
    "“{text}” is a range of days, not one meeting. Give the first day and its time (e.g. "
    "3.12. 10:00-12:00); a repeat rule adds the other days."
)
NO_DAY = _("“{text}” names no day. Give a date or a weekday, e.g. next Tuesday 10:00.")
PARTLY_READ = _(
    "I could read only part of “{text}”: “{words}” is not a date, a time or a time zone I know. "
    "Leave it out, e.g. 3 December 14:00."
)
ZONE_UNREAD = _(
    "I can't read “{zone}” as a time zone: I know UTC, GMT, CET/CEST, EET/EEST, WET/WEST, BST, "
    "UTC+2 and city or country names (14:00 Helsinki time). Or leave the zone out: your times "
    "are read in {mine} (/timezone set changes that)."
)
ZONE_SEASON = _(
    "“{text}” names {abbreviation} (UTC{offset}), but on that date the clocks in {region} are on "
    "{other}. Write the one you mean: UTC{offset} for <t:{fixed}:F>, or {city} time for "
    "<t:{clock}:F>."
)
# Said with a time read on a wall clock the member did not choose (parse_when's ``zone_note``).
DEFAULT_ZONE_NOTE = _(
    "I read “{text}” in {zone} time, the server's default, as you have not set your own zone. "
    "If you meant another zone, set yours with /timezone set (or give timezone:)."
)
EVENT_ZONE_NOTE = _("I read “{text}” in {zone} time, the event's time zone.")
NO_RANGE_HERE = _("“{text}” is a range; give one time here.")
AMBIGUOUS_NOTE = _("That time happens twice this night (clocks go back); I took the first one.")
ROUNDED_NOTE = _(
    "<t:{exact}:T> is rounded down to <t:{minute}:t>: times are kept to the whole minute."
)

# Refusals that show times: when read in the server's default zone, they say so.
_SHOWS_READINGS = frozenset({SEVERAL_READINGS, CONTRADICTION, NEEDS_TIME})

DURATION_MAX = timedelta(days=366)  # parse_duration's own bound; callers apply tighter ones
OFFSET_MAX = timedelta(days=60)
OFFSETS_MAX = 5
GUESS_HORIZON = timedelta(days=5 * 366)  # a guessed reading further ahead is a misreading
WINDOW_YEARS = 10  # times are read within 10 years of now (a past one is for callers to refuse)
WHEN_MAX = 100  # characters

_EN_WEEKDAYS = (
    ("monday", "mon"),
    ("tuesday", "tue", "tues"),
    ("wednesday", "wed"),
    ("thursday", "thu", "thur", "thurs"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
)
_FI_WEEKDAYS = (
    ("maanantai", "ma", "maanantaisin"),
    ("tiistai", "ti", "tiistaisin"),
    ("keskiviikko", "ke", "keskiviikkoisin"),
    ("torstai", "to", "torstaisin"),
    ("perjantai", "pe", "perjantaisin"),
    ("lauantai", "la", "lauantaisin"),
    ("sunnuntai", "su", "sunnuntaisin"),
)


def _weekday_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for number, names in enumerate(_EN_WEEKDAYS):
        table.update(dict.fromkeys(names, number))
        table[names[0] + "s"] = number  # "Tuesdays"
    for number, (stem, short, adverb) in enumerate(_FI_WEEKDAYS):
        # nominative, essive (tiistaina = on Tuesday), "on Tuesdays", abbreviation
        table.update(dict.fromkeys((stem, stem + "na", adverb, short), number))
    return table


WEEKDAYS = _weekday_table()


def weekday_number(word: str) -> int | None:
    """0 = Monday for an English or Finnish weekday word (tue, Tuesdays, tiistaina, ti)."""
    return WEEKDAYS.get(word.strip().lower().rstrip("."))


@dataclass(frozen=True)
class ParsedTime:
    """An instant the member meant, with the wall-clock reading it came from."""

    utc: datetime  # on a whole minute, like ``local``
    local: datetime
    ambiguous: bool = False  # the wall time happens twice; the first (fold=0) was taken
    note: str | None = None  # an English catalog string to show the member, if any
    typed: datetime | None = None  # the instant as typed, when it had seconds that were cut
    end: datetime | None = None  # UTC: a range (klo 14-16) also says when it ends
    wall_zone: str | None = None  # the zone a wall-clock reading was placed in
    zone_note: str | None = None  # why it was read in wall_zone (a catalog string), to tell
    typed_text: str = ""

    def explain(self, language: str) -> list[str]:
        """What the member should know about this reading, in ``language``."""
        lines = [translate(language, self.note)] if self.note else []
        if self.zone_note is not None:
            lines.append(
                translate(language, self.zone_note, text=self.typed_text, zone=self.wall_zone)
            )
        if self.typed is not None:
            lines.append(
                translate(
                    language,
                    ROUNDED_NOTE,
                    exact=int(self.typed.timestamp()),
                    minute=int(self.utc.timestamp()),
                )
            )
        return lines


def whole_minute(parsed: ParsedTime) -> ParsedTime:
    """``parsed`` cut to its minute, remembering what was typed (the one place seconds go)."""
    if parsed.local.second == 0 and parsed.local.microsecond == 0:
        return parsed
    # Offsets are whole minutes in every zone in use today, so cutting the wall time (which
    # keeps its fold) cuts the instant to the same minute.
    local = parsed.local.replace(second=0, microsecond=0)
    return replace(parsed, utc=local.astimezone(UTC), local=local, typed=parsed.utc)


# -- placing wall-clock times in a zone ----------------------------------------------------------


def localise(naive: datetime, tz: tzinfo) -> tuple[datetime, bool, bool]:
    """(aware, in_gap, ambiguous) for a wall-clock time in ``tz``.

    zoneinfo accepts any wall time, so gaps and overlaps are found by round trips: a time in a
    gap comes back from UTC as a different wall time (fold=0 then lands after the jump, shifted
    forward by the gap's length); a time in an overlap has two different UTC offsets.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, False, False
    back = first.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        return back, True, False
    return first, False, True


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", tz))


def _placed(naive: datetime, tz: tzinfo) -> ParsedTime:
    local, in_gap, ambiguous = localise(naive, tz)
    if in_gap:
        raise UserFacingError(
            _(
                "{time} does not exist in {zone} on {date}: the clocks jump forward that night. "
                "Pick another time, e.g. {later}."
            ),
            time=naive.strftime("%H:%M"),
            zone=_zone_name(tz),
            date=naive.date().isoformat(),
            later=local.strftime("%H:%M"),
        )
    return ParsedTime(
        utc=local.astimezone(UTC),
        local=local,
        ambiguous=ambiguous,
        note=AMBIGUOUS_NOTE if ambiguous else None,
        wall_zone=_zone_name(tz),
    )


def _instant(moment: datetime, tz: tzinfo) -> ParsedTime:
    """An exact instant (offset given, timestamp, relative phrase): no wall-clock questions."""
    utc = moment.astimezone(UTC)
    return ParsedTime(utc=utc, local=utc.astimezone(tz))


# -- the grammar -----------------------------------------------------------------------------

_DISCORD = re.compile(r"<t:(-?[0-9]{1,12})(?::[tdfrs])?>")
# An ISO date and time, with an offset only where it cannot be a range: ``Z`` or ``+02:00`` after
# a typed time, and a ``-05:00`` only in the machine form (``T``, seconds) that calendars and
# programs write. ``2026-12-03 14:00-16:00`` is therefore the range 14:00-16:00, never 14:00 at
# UTC-16:00 (a silent wrong day); a member's negative offset is written ``UTC-05:00``.
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:t[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:z|[+-][0-9]{2}:?[0-9]{2})"
    r"|[t ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:z|\+[0-9]{2}:?[0-9]{2})?)"
)
_ISO_T = re.compile(r"(?<=[0-9]{4}-[0-9]{2}-[0-9]{2})t(?=[0-9])")
_NUMERIC_DATE = re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})(?:\.(?P<y>[0-9]{4})|\.)?")
_SLASH_DATE = re.compile(r"(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{4}))?")
_ISO_DATE = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")
_WEEKDAY_DATE = re.compile(r"(?:(?P<prefix>next|this|on|ensi|tänä)\s+)?(?P<day>[a-zäö]+)")
_CLOCK = re.compile(
    r"(?:(?P<kw>klo|kello|at|@)\s*)?(?P<h>[0-9]{1,2})"
    r"(?:(?P<sep>[:.])(?P<min>[0-9]{2})(?::(?P<sec>[0-9]{2}))?)?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
)
# "3 December", "3rd of December", "December 3rd, 2026", "3. joulukuuta 2026"
_NAMED_DATE = re.compile(
    r"(?:(?P<d1>[0-9]{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(?P<m1>[a-zäö]+\.?)"
    r"|(?P<m2>[a-zäö]+\.?)\s+(?P<d2>[0-9]{1,2})(?:st|nd|rd|th|\.)?)"
    r"(?:,?\s+(?P<y>[0-9]{4}))?"
)
_DATE_WORD = r"(?:[0-9]{1,2}\.(?:[0-9]{1,2}\.(?:[0-9]{4})?)?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})"
_DAYS_RANGE = re.compile(rf"(?<![0-9.:]){_DATE_WORD}\s*[-–—]\s*{_DATE_WORD}(?![0-9:])")
_NAMED_CLOCKS = {"noon": time(12), "midnight": time(0), "at noon": time(12)}
_DAY_WORDS = {
    "today": 0,
    "tänään": 0,
    "tomorrow": 1,
    "huomenna": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "ylihuomenna": 2,
}
_IN = re.compile(r"in\s+(?:(?P<one>an?|one)\s+)?(?P<rest>.+)")
_FROM_NOW_FI = re.compile(r"(?P<rest>.+?)\s+(?:päästä|kuluttua)")
# Finnish that dateparser misreads (FACTS.md): if the grammar did not take it, refuse, never guess.
_FINNISH_SIGNS = re.compile(
    r"\b(?:ensi|ylihuomenna|päästä|kuluttua|"
    + "|".join(sorted(w for w in WEEKDAYS if len(w) > 3 and w.endswith(("na", "sin"))))
    + r")\b"
)


def _clock(text: str, *, with_date: bool, date_first: bool) -> tuple[time, ...]:
    """The clock times ``text`` can mean (none if it is not one).

    Bare hours and ``14.30`` count only where they cannot be taken for a date. A bare hour from
    1 to 7 (``at 2``, ``klo 7``) has two readings, 02:00 and 14:00: the member is asked, since
    a meeting at the wrong one of them is the worst misreading. ``02``, ``2:30`` (a 24-hour time
    with minutes) and ``2pm`` have one.
    """
    if text in _NAMED_CLOCKS:
        return (_NAMED_CLOCKS[text],)
    match = _CLOCK.fullmatch(text)
    if match is None:
        return ()
    keyword, sep, ampm = match["kw"], match["sep"], match["ampm"]
    if not (keyword or ampm or sep == ":" or (with_date and date_first)):
        return ()  # "14" or "14.30" alone, or before a date: a date or a number, not a time
    if match["sec"] and (sep != ":" or int(match["sec"]) > 59):
        return ()
    hour, minute, second = int(match["h"]), int(match["min"] or 0), int(match["sec"] or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return ()
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return ()
    if sep is None and 1 <= hour <= 7 and not match["h"].startswith("0") and not ampm:
        return (time(hour), time(hour + 12))
    return (time(hour, minute, second),)


def _calendar_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_date(today: date, month: int, day: int) -> date | None:
    """A day and month without a year: its next day ahead (today counts)."""
    found = _calendar_date(today.year, month, day)
    if found is not None and found < today:
        found = _calendar_date(today.year + 1, month, day)
    return found


def _day(
    text: str, today: date, clock: time | None, now_local: datetime, *, day_first: bool = True
) -> date | None:
    """The date ``text`` names, seen from ``today``; ``clock`` settles "saturday" on a Saturday.

    A weekday written with a date (``ke 3.12.``) must be that date's weekday: otherwise both
    readings are shown and the member asked (Contradiction).
    """
    text = text.rstrip(",")
    if text in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[text])
    if match := _ISO_DATE.fullmatch(text):
        return _calendar_date(int(match["y"]), int(match["m"]), int(match["d"]))
    if match := _NUMERIC_DATE.fullmatch(text):
        day, month = int(match["d"]), int(match["m"])
        if match["y"]:
            return _calendar_date(int(match["y"]), month, day)
        return _next_date(today, month, day)
    if match := _SLASH_DATE.fullmatch(text):
        first, second = int(match["a"]), int(match["b"])
        day, month = (first, second) if day_first else (second, first)
        if match["y"]:
            return _calendar_date(int(match["y"]), month, day)
        return _next_date(today, month, day)
    if (match := _NAMED_DATE.fullmatch(text)) and (named := _month(match["m1"] or match["m2"])):
        numbered = int(match["d1"] or match["d2"])
        if match["y"]:
            return _calendar_date(int(match["y"]), named, numbered)
        return _next_date(today, named, numbered)
    words = text.replace(",", " ").split()
    if len(words) >= 2 and (weekday := WEEKDAYS.get(words[0].rstrip("."))) is not None:
        rest = " ".join(words[1:])
        dated = _day(rest, today, clock, now_local, day_first=day_first)
        if dated is not None and weekday != dated.weekday():
            raise Contradiction(dated, dated + timedelta(days=_nearest(weekday - dated.weekday())))
        return dated
    if match := _WEEKDAY_DATE.fullmatch(text):
        weekday = WEEKDAYS.get(match["day"])
        if weekday is None:
            return None
        ahead = (weekday - today.weekday()) % 7
        passed = clock is not None and datetime.combine(today, clock) <= now_local
        if ahead == 0 and (match["prefix"] in ("next", "ensi") or passed):
            ahead = 7  # "next Saturday" on a Saturday, or a Saturday hour already gone
        return today + timedelta(days=ahead)
    return None


def _nearest(days: int) -> int:
    """-3..3: the shortest way, in days, to a weekday ``days`` ahead (mod 7)."""
    days %= 7
    return days - 7 if days > 3 else days


class Contradiction(Exception):
    """A weekday and a date that name different days; both are shown to the member."""

    def __init__(self, by_date: date, by_weekday: date) -> None:
        super().__init__(by_date, by_weekday)
        self.by_date, self.by_weekday = by_date, by_weekday


def _readings(
    text: str, now_local: datetime, *, day_first: bool = True
) -> tuple[set[datetime], bool]:
    """Every (date, time) reading of ``text``, and whether it named a date without a time."""
    today = now_local.date()
    naive_now = now_local.replace(tzinfo=None)
    found: set[datetime] = set()
    for clock in _clock(text, with_date=False, date_first=False):
        moment = datetime.combine(today, clock)
        found.add(moment if moment > naive_now else moment + timedelta(days=1))
    words = text.split()
    for cut in range(1, len(words)):
        left, right = " ".join(words[:cut]), " ".join(words[cut:])
        for date_text, clock_text, date_first in ((left, right, True), (right, left, False)):
            for clock in _clock(clock_text.strip(","), with_date=True, date_first=date_first):
                try:
                    day = _day(date_text, today, clock, naive_now, day_first=day_first)
                except Contradiction as contradiction:
                    raise _contradiction(text, contradiction, clock, now_local) from None
                if day is not None:
                    found.add(datetime.combine(day, clock))
    try:
        named = _day(text, today, None, naive_now, day_first=day_first)
    except Contradiction:
        raise UserFacingError(UNREADABLE_TIME, text=text) from None
    return found, not found and named is not None


def _contradiction(
    text: str, contradiction: Contradiction, clock: time, now_local: datetime
) -> UserFacingError:
    zone = now_local.tzinfo
    assert zone is not None

    def stamp(day: date) -> int:
        return int(localise(datetime.combine(day, clock), zone)[0].timestamp())

    return UserFacingError(
        CONTRADICTION,
        text=text,
        by_date=stamp(contradiction.by_date),
        by_weekday=stamp(contradiction.by_weekday),
    )


# -- dateparser, for what the grammar does not know ------------------------------------------

_CLOCK_IN_TEXT = re.compile(
    r"(?<![0-9.:])(?P<h>[0-9]{1,2})(?:[:.](?P<min>[0-9]{2}))?\s*(?P<ampm>am|pm)\b"
    r"|(?<![0-9.:])(?P<h2>[0-9]{1,2})[:.](?P<min2>[0-9]{2})(?![0-9.:])"
    r"|\b(?P<named>noon|midnight)\b"
)
_TIMEISH = re.compile(r"[0-9]\s*(?:[:.]\s*[0-9]|am\b|pm\b)")  # a clock time, even a wrong one
# "next week 10:00" names no day; dateparser would pick one.
_VAGUE = re.compile(
    r"\b(?:weeks?|weekend|months?|years?|viikolla|viikonloppuna|kuussa|vuonna)(?![a-zäö])"
)
_KLO = re.compile(r"\b(?:klo|kello)\s*([0-9]{1,2})(?:[:.]([0-9]{2}))?\b")


def _clocks_in(text: str) -> set[time]:
    """The clock times written in ``text``, to check dateparser's answer against."""
    clocks = set()
    for match in _CLOCK_IN_TEXT.finditer(text):
        if match["named"]:
            clocks.add(_NAMED_CLOCKS[match["named"]])
            continue
        hour = int(match["h"] or match["h2"])
        minute = int(match["min"] or match["min2"] or 0)
        if match["ampm"]:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
        if hour <= 23 and minute <= 59:
            clocks.add(time(hour, minute))
    return clocks


def _dateparser() -> Any:
    import dateparser  # slow to import; kept out of start-up, see warm_up()

    return dateparser


def warm_up() -> None:
    """Import dateparser and load its language data now, not on a member's first command."""
    _dateparser().parse("tomorrow 14:00", languages=["en", "fi"])
    zone_words()  # "14:00 Helsinki time" looks the city up


_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_FI_MONTHS = [
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
]
_FILLERS = {"at", "on", "the", "of", "klo", "kello", "am", "pm", "noon", "midnight", "-", "@"}
_ZONE_WORDS = {"utc", "gmt", "z", "cet", "cest", "eet", "eest", "wet", "west", "bst"}
_GUESS_CLOCK = re.compile(r"[0-9]{1,2}(?:[:.][0-9]{2})?(?:am|pm)|[0-9]{1,2}[:.][0-9]{2}")
_GUESS_DAY = re.compile(r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th|\.)?")


_EN_MONTH_WORDS = {
    **{name: number for number, name in enumerate(_EN_MONTHS, start=1)},
    **{name[:3]: number for number, name in enumerate(_EN_MONTHS, start=1)},
    "sept": 9,
}


def _month(word: str) -> int | None:
    """1-12 for an English month or its short form, or a Finnish month in any case
    (joulukuu, joulukuuta, joulukuun, jouluk.)."""
    word = word.rstrip(".")
    if word in _EN_MONTH_WORDS:
        return _EN_MONTH_WORDS[word]
    for number, name in enumerate(_FI_MONTHS, start=1):
        if word.startswith(name[:-2]):  # "joulukuu" -> "jouluk"
            return number
    return None


def _whole_phrase(text: str, found: datetime, tz: ZoneInfo) -> bool:
    """Whether every word of ``text`` is part of dateparser's reading ``found``: a day, month,
    year, weekday, clock time, zone or a small word. A word it skipped (``klo 14-16`` read as
    the 16th) or one that says otherwise makes the guess a misreading. A weekday that is not the
    date's is a contradiction, shown to the member with both readings."""
    for word in re.split(r"[\s,]+", text):
        if not word or word in _FILLERS or _GUESS_CLOCK.fullmatch(word):
            continue
        if word in _ZONE_WORDS:
            if found.tzinfo is None:
                return False
            continue
        if (weekday := WEEKDAYS.get(word.rstrip("."))) is not None:
            if weekday != found.weekday():
                clock = found.time().replace(tzinfo=None)
                wrong = Contradiction(
                    found.date(), found.date() + timedelta(days=_nearest(weekday - found.weekday()))
                )
                zoned = found.replace(tzinfo=tz) if found.tzinfo is None else found.astimezone(tz)
                raise _contradiction(text, wrong, clock, zoned)
            continue
        if (month := _month(word)) is not None:
            if month != found.month:
                return False
            continue
        if re.fullmatch(r"[0-9]{4}", word):
            if int(word) != found.year:
                return False
            continue
        if match := _GUESS_DAY.fullmatch(word):
            # a named zone may move the date by a day when converted to ours
            slack = 1 if found.tzinfo is not None else 0
            days = {(found + timedelta(days=d)).day for d in range(-slack, slack + 1)}
            if int(match["d"]) not in days:
                return False
            continue
        return False
    return True


def _guess(
    original: str, cleaned: str, *, tz: ZoneInfo, now: datetime, language: str, day_first: bool
) -> ParsedTime | None:
    """dateparser's reading, accepted only if it used every word and its clock time is the one
    the member wrote."""
    text = _KLO.sub(lambda m: f"{m[1]}:{m[2] or '00'}", cleaned)
    naive_now = now.astimezone(tz).replace(tzinfo=None)
    languages = ["fi", "en"] if language == "fi" else ["en", "fi"]
    found = _dateparser().parse(
        text,
        languages=languages,
        settings={
            "RELATIVE_BASE": naive_now,
            "PREFER_DATES_FROM": "future",
            "TIMEZONE": tz.key,
            "DATE_ORDER": "DMY" if day_first else "MDY",
        },
    )
    if not isinstance(found, datetime) or _VAGUE.search(text):
        return None
    if not _in_window_year(found.year, now):
        raise UserFacingError(OUT_OF_WINDOW, text=original.strip(), years=WINDOW_YEARS)
    clocks = _clocks_in(text)
    if not clocks and not _TIMEISH.search(text) and found.date() != naive_now.date():
        original = original.strip()
        raise UserFacingError(NEEDS_TIME, text=original, example=f"{original} 14:00")
    if len(clocks) != 1 or not _whole_phrase(text, found, tz):
        return None
    if found.tzinfo is not None:  # the text named a zone; dateparser converted to ours
        result = _instant(found, tz)
    elif found.time() != clocks.pop():
        return None
    else:
        result = _placed(found, tz)
    if not now - timedelta(days=1) < result.utc < now + GUESS_HORIZON:
        return None
    return result


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def _in_window_year(year: int, now: datetime) -> bool:
    """Years a time may name: within WINDOW_YEARS of now (a past time is then refused by its
    caller, saying so). Checked before any arithmetic, which overflows near years 1 and 9999."""
    return now.year - WINDOW_YEARS <= year <= now.year + WINDOW_YEARS


MONTH_FIRST_LOCALES = frozenset({"en-US"})  # Discord locales that write 12/3 for December 3


def day_first(locale: str) -> bool:
    """Whether a member with this Discord locale writes the day first (12/3 = 12 March)."""
    return locale not in MONTH_FIRST_LOCALES


def parse_when(
    text: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    language: str = "en",
    day_first: bool = True,
    allow_range: bool = False,
    zone_note: str | None = None,
) -> ParsedTime:
    """The instant a member means by ``text``, read in ``tz`` and relative to ``now`` (aware),
    on a whole minute, within WINDOW_YEARS of now.

    A weekday means its next day ahead (today if the time is still to come); ``next``/``ensi``
    never mean today. A date without a year means its next day ahead. A lone clock time means
    its next occurrence. Relative phrases (``in 2 hours``) are exact, to the minute. ``12/3``
    is the 12th of March when ``day_first`` (European locales), else December 3. With
    ``allow_range``, ``klo 14-16`` also sets ``end``; otherwise a range is refused. A zone at
    the end (``14:00 CET``, ``UTC+2``, ``Helsinki time``) is read instead of ``tz``.

    ``zone_note`` (DEFAULT_ZONE_NOTE, EVENT_ZONE_NOTE): ``tz`` is not the member's own choice. A
    wall-clock reading then says which zone it was read in and why (``explain``), and so does a
    refusal that shows readings.
    """
    if len(text) > WHEN_MAX:
        raise UserFacingError(TOO_LONG_TIME, length=len(text), limit=WHEN_MAX)
    try:
        parsed = _parse_when(text, tz=tz, now=now, language=language, day_first=day_first)
    except UserFacingError as refusal:
        if zone_note and refusal.message in _SHOWS_READINGS:
            refusal.add_note(zone_note, text=text.strip(), zone=tz.key)
        raise
    parsed = whole_minute(parsed)
    window = timedelta(days=round(365.25 * WINDOW_YEARS))
    if not now - window <= parsed.utc <= now + window:
        raise UserFacingError(OUT_OF_WINDOW, text=text.strip(), years=WINDOW_YEARS)
    if parsed.end is not None and not allow_range:
        raise UserFacingError(NO_RANGE_HERE, text=text.strip())
    if zone_note and parsed.wall_zone == tz.key:
        parsed = replace(parsed, zone_note=zone_note, typed_text=text.strip())
    return parsed


_RANGE_LIKE = re.compile(r"(?<![0-9])[0-9]{1,2}(?:[:.][0-9]{2})?[-–—][0-9]")
_RANGE = re.compile(
    r"(?P<kw>(?:klo|kello|at)\s*)?(?P<a>[0-9]{1,2}(?:[:.][0-9]{2})?)[-–—](?P<b>[0-9]{1,2}(?:[:.][0-9]{2})?)"
)


def _split_range(cleaned: str, text: str) -> tuple[str, str | None]:
    """``huomenna klo 14-16`` as (``huomenna klo 14``, ``16``); text without a range as is.
    Something range-like that is not a range of clock times is refused, never guessed."""
    joined = re.sub(r"(?<=[0-9])\s*[-–—]\s*(?=[0-9])", "-", cleaned)
    words = joined.split()
    for index, word in enumerate(words):
        if not _RANGE_LIKE.search(word) or _ISO_DATE.fullmatch(word.rstrip(",")):
            continue
        match = _RANGE.fullmatch(word.rstrip(","))
        if match is None:
            raise UserFacingError(UNREADABLE_RANGE, text=text.strip())
        words[index] = (match["kw"] or "") + match["a"]
        return " ".join(words), match["b"]
    return cleaned, None


def _with_end(start: ParsedTime, end_text: str, tz: tzinfo, text: str) -> ParsedTime:
    """A range's start with its end: the end clock on the start's day, after the start."""
    clocks = _clock(end_text, with_date=True, date_first=True)
    if not clocks:
        raise UserFacingError(UNREADABLE_RANGE, text=text.strip())
    if len(clocks) > 1:
        readings = [datetime.combine(start.local.date(), c) for c in clocks]
        raise _several(text, readings, tz)
    end = _placed(datetime.combine(start.local.date(), clocks[0]), tz)
    if end.utc <= start.utc:
        looks_like_offset = re.fullmatch(r"[0-9]{2}:?[0-9]{2}", end_text) is not None
        raise UserFacingError(
            RANGE_BACKWARDS_OR_OFFSET if looks_like_offset else RANGE_BACKWARDS, text=text.strip()
        )
    return replace(start, end=end.utc)


def _several(text: str, readings: list[datetime], tz: tzinfo) -> UserFacingError:
    shown = [f"<t:{int(localise(r, tz)[0].timestamp())}:F>" for r in sorted(readings)]
    return UserFacingError(SEVERAL_READINGS, text=text.strip(), readings=" / ".join(shown))


def _parse_when(
    text: str, *, tz: ZoneInfo, now: datetime, language: str, day_first: bool
) -> ParsedTime:
    cleaned = _normalised(text)
    if not cleaned:
        raise UserFacingError(UNREADABLE_TIME, text=text)
    if match := _DISCORD.fullmatch(cleaned):
        try:
            return _instant(datetime.fromtimestamp(int(match[1]), UTC), tz)
        except (OverflowError, OSError, ValueError):
            raise UserFacingError(UNREADABLE_TIME, text=text) from None
    if _ISO_DATETIME.fullmatch(cleaned):
        try:
            moment = datetime.fromisoformat(cleaned.upper())
        except ValueError:
            raise UserFacingError(UNREADABLE_TIME, text=text) from None
        if not _in_window_year(moment.year, now):
            raise UserFacingError(OUT_OF_WINDOW, text=text.strip(), years=WINDOW_YEARS)
        if moment.tzinfo is not None:
            return _instant(moment, tz)
        return _placed(moment, tz)
    relative = _relative(cleaned)
    if relative is not None:
        # cut here, so "in 2 hours" typed at 12:00:37 is not reported as rounded
        return _instant((now + relative).replace(second=0, microsecond=0), tz)
    if _DAYS_RANGE.search(cleaned):
        raise UserFacingError(DAYS_RANGE, text=text.strip())
    cleaned = _ISO_T.sub(" ", cleaned)
    named = _named_zone(cleaned, tz)
    if named is None:
        return _wall(cleaned, text, tz=tz, now=now, language=language, day_first=day_first)
    rest, zone, offset = named
    parsed = _wall(rest, text, tz=zone, now=now, language=language, day_first=day_first)
    if offset is not None and parsed.local.utcoffset() != offset:
        raise _off_season(text, parsed, offset)
    return replace(parsed, local=parsed.utc.astimezone(tz), wall_zone=None)


def _wall(
    cleaned: str, text: str, *, tz: tzinfo, now: datetime, language: str, day_first: bool
) -> ParsedTime:
    """A phrase read on the wall clock of ``tz``: our grammar, else a checked guess."""
    cleaned, end_text = _split_range(cleaned, text)
    readings, date_only = _readings(cleaned, now.astimezone(tz), day_first=day_first)
    if date_only:
        raise UserFacingError(NEEDS_TIME, text=text.strip(), example=f"{text.strip()} 14:00")
    if any(not _in_window_year(r.year, now) for r in readings):
        raise UserFacingError(OUT_OF_WINDOW, text=text.strip(), years=WINDOW_YEARS)
    if len(readings) > 1:
        raise _several(text, list(readings), tz)
    if len(readings) == 1:
        start = _placed(readings.pop(), tz)
        return start if end_text is None else _with_end(start, end_text, tz, text)
    if _VAGUE.search(cleaned):
        raise UserFacingError(NO_DAY, text=text.strip())
    if stray := _stray_words(cleaned):
        raise UserFacingError(PARTLY_READ, text=text.strip(), words=" ".join(stray))
    if end_text is not None:
        raise UserFacingError(UNREADABLE_RANGE, text=text.strip())
    if _FINNISH_SIGNS.search(cleaned) or not isinstance(tz, ZoneInfo):
        raise UserFacingError(UNREADABLE_TIME, text=text)
    guessed = _guess(text, cleaned, tz=tz, now=now, language=language, day_first=day_first)
    if guessed is None:
        raise UserFacingError(UNREADABLE_TIME, text=text)
    return guessed


# -- a zone named in the phrase ----------------------------------------------------------------

# Abbreviations with one meaning in Europe: their offset, and the region whose clocks they name.
# "14:00 CET" typed for a July date (when those clocks are on CEST) is asked about, not guessed.
_SEASONAL_ZONES = {
    "cet": (timedelta(hours=1), "Europe/Brussels", "Brussels"),
    "cest": (timedelta(hours=2), "Europe/Brussels", "Brussels"),
    "eet": (timedelta(hours=2), "Europe/Helsinki", "Helsinki"),
    "eest": (timedelta(hours=3), "Europe/Helsinki", "Helsinki"),
    "wet": (timedelta(hours=0), "Europe/Lisbon", "Lisbon"),
    "west": (timedelta(hours=1), "Europe/Lisbon", "Lisbon"),
    "bst": (timedelta(hours=1), "Europe/London", "London"),
}
_UTC_WORDS = frozenset({"utc", "gmt", "z"})
_OFFSET_ZONE = re.compile(
    r"(?P<rest>.+?)\s*(?:(?:utc|gmt)\s*(?P<sign>[+-])|(?P<plus>\+))\s*"
    r"(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?"
)
_ZONE_SAID = ("time", "aikaa")  # "Helsinki time", "Helsingin aikaa"
_ABBREVIATION = re.compile(r"[a-z]{1,4}t")  # PST, EST, IST, MSKT: zone-like, several meanings


def _named_zone(cleaned: str, mine: ZoneInfo) -> tuple[str, tzinfo, timedelta | None] | None:
    """(the rest of the phrase, the zone it names at its end, the offset an abbreviation fixes),
    or None when the phrase ends in no zone. A zone-like word we cannot read is refused."""
    if match := _OFFSET_ZONE.fullmatch(cleaned):
        hours, minutes = int(match["h"]), int(match["m"] or 0)
        offset = timedelta(hours=hours, minutes=minutes)
        if offset > timedelta(hours=14) or minutes > 59:
            raise UserFacingError(ZONE_UNREAD, zone=cleaned[len(match["rest"]) :], mine=mine.key)
        return match["rest"], timezone(-offset if match["sign"] == "-" else offset), None
    if re.search(r"[0-9]z$", cleaned):
        return cleaned[:-1], UTC, None
    words = re.sub(r"\(([^()]*)\)$", r"\1", cleaned).split()  # "14:00 (Helsinki time)"
    said = bool(words) and words[-1] in _ZONE_SAID
    if said:
        words = words[:-1]
    if len(words) < 2:
        return None
    name, rest = words[-1].strip("()"), " ".join(words[:-1])
    if name in _UTC_WORDS:
        return rest, UTC, None
    if name in _SEASONAL_ZONES:
        offset, region, _city = _SEASONAL_ZONES[name]
        return rest, ZoneInfo(region), offset
    if not said and (not name.isalpha() or _known_word(name)):
        return None
    if _ABBREVIATION.fullmatch(name) or name.upper() in all_zones():
        raise UserFacingError(ZONE_UNREAD, zone=name.upper(), mine=mine.key)
    for size in (3, 2, 1):  # "new york time", "helsinki"
        if len(words) > size:
            try:
                zone = pick_zone(" ".join(words[-size:]).strip("()"))
            except UserFacingError:
                continue
            return " ".join(words[:-size]), zone, None
    if said:
        raise UserFacingError(ZONE_UNREAD, zone=" ".join(words[-1:]), mine=mine.key)
    return None


def _off_season(text: str, parsed: ParsedTime, offset: timedelta) -> UserFacingError:
    """``14:00 CET`` on a date when Central Europe is on CEST: both readings, the member picks."""
    abbreviation = next(k for k, v in _SEASONAL_ZONES.items() if v[0] == offset)
    region, city = _SEASONAL_ZONES[abbreviation][1:]
    actual = parsed.local.utcoffset()
    other = next((k for k, v in _SEASONAL_ZONES.items() if v[1] == region and v[0] == actual), "?")
    fixed = parsed.local.replace(tzinfo=timezone(offset))
    return UserFacingError(
        ZONE_SEASON,
        text=text.strip(),
        abbreviation=abbreviation.upper(),
        offset=_offset_text(offset),
        region=region,
        other=other.upper(),
        city=city,
        fixed=int(fixed.timestamp()),
        clock=int(parsed.utc.timestamp()),
    )


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{minutes:02}" if minutes else "")


_DAY_WORD_PARTS = frozenset(w for phrase in _DAY_WORDS for w in phrase.split())
_KNOWN_WORDS = frozenset(
    {*_FILLERS, "next", "this", "ensi", "tänä", "in", *_DAY_WORD_PARTS, *_UTC_WORDS}
)


def _known_word(word: str) -> bool:
    """A word of our grammar: a weekday, month, day word (tomorrow), filler or zone."""
    word = word.rstrip(".,")
    return (
        word in _KNOWN_WORDS
        or word in WEEKDAYS
        or word in _SEASONAL_ZONES
        or word in _ZONE_SAID
        or word in _UNITS
        or _month(word) is not None
    )


def _stray_words(cleaned: str) -> list[str]:
    """The words of a phrase that otherwise names a day or time which are no date or time words
    at all (``banana`` in ``3 December banana 14:00``): named back to the member."""
    words = [w for w in re.split(r"[\s,]+", cleaned) if w]
    stray = [w for w in words if re.fullmatch(r"[a-zäöå]+", w) and not _known_word(w)]
    anchored = any(
        w in WEEKDAYS or w in _DAY_WORD_PARTS or _month(w) or re.search(r"[0-9]", w) for w in words
    )
    return stray if anchored and len(stray) < len(words) else []


def _relative(text: str) -> timedelta | None:
    """``in 2 hours``, ``in an hour``, ``2 tunnin päästä``, ``viikon kuluttua``."""
    rest = None
    if match := _IN.fullmatch(text):
        rest = ("1 " if match["one"] else "") + match["rest"]
    elif match := _FROM_NOW_FI.fullmatch(text):
        rest = match["rest"]
        if rest in _UNITS:  # "tunnin päästä": in an hour
            rest = "1 " + rest
    if rest is None:
        return None
    try:
        return parse_duration(rest)
    except UserFacingError:
        return None


# -- lengths of time ---------------------------------------------------------------------------

_UNIT_WORDS = {
    Fraction(1): "m min mins minute minutes minuutti minuuttia minuutin",
    Fraction(60): "h hr hrs hour hours t tunti tuntia tunnin",
    Fraction(60 * 24): "d day days pv päivä päivää päivän vrk",
    Fraction(60 * 24 * 7): "w wk wks week weeks vk viikko viikkoa viikon",
}
_UNITS = {word: minutes for minutes, words in _UNIT_WORDS.items() for word in words.split()}
_AMOUNT = re.compile(
    r"\s*(?:(?:and|ja)\s+)?(?P<n>[0-9]{1,6}(?:[.,][0-9]{1,3})?)\s*(?P<unit>[a-zäö]+)\.?\s*"
)
UNREADABLE_DURATION = _(
    "I couldn't read “{text}” as a length of time. Try 90m, 1h30m, 1,5 h, 2 tuntia or 1 päivä."
)


def parse_duration(text: str) -> timedelta:
    """A length of time such as ``90m``, ``1h 30min``, ``1,5 h`` or ``2 päivää``, to the minute."""
    cleaned = _normalised(text)
    position, total, seen = 0, Fraction(0), set()
    while position < len(cleaned):
        match = _AMOUNT.match(cleaned, position)
        unit = _UNITS.get(match["unit"]) if match else None
        if match is None or unit is None or unit in seen:
            raise UserFacingError(UNREADABLE_DURATION, text=text)
        seen.add(unit)
        total += Fraction(match["n"].replace(",", ".")) * unit
        position = match.end()
    if not seen:
        raise UserFacingError(UNREADABLE_DURATION, text=text)
    minutes = round(total)
    if minutes < 1:
        raise UserFacingError(_("“{text}” is shorter than a minute: give at least 1m."), text=text)
    if minutes > DURATION_MAX.total_seconds() // 60:
        raise UserFacingError(
            _("“{text}” is too long: keep it within {days} days."),
            text=text,
            days=DURATION_MAX.days,
        )
    return timedelta(minutes=minutes)


_OFFSET_SEPARATOR = re.compile(r"(?<![0-9]),|,(?![0-9])|;")  # "1,5h" keeps its decimal comma


def parse_offsets(text: str) -> list[timedelta]:
    """Reminder offsets before an event (``1d, 1h, 15m``): distinct, longest first, bounded."""
    parts = [part.strip() for part in _OFFSET_SEPARATOR.split(text) if part.strip()]
    if not parts:
        raise UserFacingError(_("Give at least one reminder time, e.g. 1d, 1h."))
    offsets = set()
    for part in parts:
        offset = parse_duration(part)
        if offset > OFFSET_MAX:
            raise UserFacingError(
                _("A reminder can come at most {days} days before the event; “{text}” is more."),
                days=OFFSET_MAX.days,
                text=part,
            )
        offsets.add(offset)
    if len(offsets) > OFFSETS_MAX:
        raise UserFacingError(
            _("At most {limit} reminders, please; you gave {count}."),
            limit=OFFSETS_MAX,
            count=len(offsets),
        )
    return sorted(offsets, reverse=True)


def format_offset(offset: timedelta) -> str:
    """``1d``, ``1h30m``, ``15m``: the compact form parse_duration reads back."""
    minutes = int(offset.total_seconds() // 60)
    if minutes < 0:
        raise ValueError("offsets are not negative")
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return "".join(parts) or "0m"


# -- dates -----------------------------------------------------------------------------------

UNREADABLE_DATE = _("I couldn't read “{text}” as a date. Try 2027-06-30 or 30.6.2027.")


def parse_date(text: str, *, today: date | None = None) -> date:
    """A calendar date (``2027-06-30``, ``30.6.2027``); ``30.6.`` needs ``today`` to pick a year.

    No zone is needed: a date such as a series' last day is a day in the event's own zone.
    """
    cleaned = _normalised(text)
    found: date | None = None
    if match := _ISO_DATE.fullmatch(cleaned) or _NUMERIC_DATE.fullmatch(cleaned):
        year = match["y"]
        if year is not None:
            found = _calendar_date(int(year), int(match["m"]), int(match["d"]))
        elif today is not None:
            found = _calendar_date(today.year, int(match["m"]), int(match["d"]))
            if found is not None and found < today:
                found = _calendar_date(today.year + 1, int(match["m"]), int(match["d"]))
    if found is None:
        raise UserFacingError(UNREADABLE_DATE, text=text)
    return found
