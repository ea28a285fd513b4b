"""Repeat rules for event series, computed on the event's own wall clock.

A series is read from a short English or Finnish phrase or from an RFC 5545 RRULE, stored as
the RRULE value (without ``RRULE:``) and read back with the same parser. Occurrences are worked
out on naive wall-clock time with dateutil and only then placed in the event's zone, so a 10:00
Helsinki meeting stays at 10:00 on both sides of a clock change.

"every second Tuesday" is refused on purpose: in British usage it means every other week, in
EU meeting calendars often the second Tuesday of the month, and a series read the wrong way
misplaces every meeting. The member is asked to write ``every 2 weeks on Tuesday`` or
``monthly on the 2nd Tuesday`` instead. Finnish ``joka toinen tiistai`` is unambiguous (every
other week) and accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekday as rrule_weekday

from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.timeparse import localise, parse_date, weekday_number

Freq = Literal["daily", "weekly", "monthly"]

COUNT_MAX = 500
INTERVAL_MAX = 99
UNTIL_MAX_YEARS = 5
LISTING_HORIZON = timedelta(days=2 * 365)  # how far ahead an endless series is listed

_RRULE_FREQ: dict[str, Freq] = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly"}
_DATEUTIL_FREQ: dict[Freq, Literal[1, 2, 3]] = {
    "daily": DAILY,
    "weekly": WEEKLY,
    "monthly": MONTHLY,
}
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NTH = {
    **dict.fromkeys(("first", "1st", "ensimmäinen", "ensimmäisenä", "1."), 1),
    **dict.fromkeys(("second", "2nd", "toinen", "toisena", "2."), 2),
    **dict.fromkeys(("third", "3rd", "kolmas", "kolmantena", "3."), 3),
    **dict.fromkeys(("fourth", "4th", "neljäs", "neljäntenä", "4."), 4),
    **dict.fromkeys(("last", "viimeinen", "viimeisenä"), -1),
}

UNREADABLE_REPEAT = _(
    "I couldn't read “{text}” as a repeat rule. Try daily, weekly, every 2 weeks on Tuesday, "
    "weekly on mon,wed, monthly on the 2nd Tuesday, monthly on the last Friday, joka toinen "
    "viikko or kuukauden viimeinen perjantai; end it with “count 10” or “until 2027-06-30”."
)
UNSUPPORTED_RRULE = _(
    "This repeat rule uses {part}, which I can't follow. I follow FREQ=DAILY, WEEKLY or MONTHLY "
    "with INTERVAL, COUNT or UNTIL, and BYDAY: weekdays for weekly (BYDAY=TU,TH), one weekday "
    "of the month for monthly (BYDAY=2TU or BYDAY=-1FR)."
)

# Catalog strings for describe(); Finnish needs its own case forms, hence whole phrases.
_DAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
_ON_DAYS = (
    _("Mondays"),
    _("Tuesdays"),
    _("Wednesdays"),
    _("Thursdays"),
    _("Fridays"),
    _("Saturdays"),
    _("Sundays"),
)
_NTH_NAMES = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), -1: _("last")}


@dataclass(frozen=True)
class Recurrence:
    """How a series repeats; ``until`` is a day in the event's zone and is included."""

    freq: Freq
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # weekly: 0 = Monday; empty = the first occurrence's day
    nth_weekday: tuple[int, int] | None = None  # monthly: (2, 1) second Tuesday, (-1, 4) last Fri
    until: date | None = None
    count: int | None = None

    def to_rrule_string(self, start_local: datetime | None = None) -> str:
        """The RFC 5545 RRULE value (no ``RRULE:`` prefix).

        RFC 5545 wants UNTIL in UTC when DTSTART has a zone, so given the first start, UNTIL is
        the last second of the until day in that zone. Without it (the stored form) UNTIL is a
        plain date, which parse_repeat reads back exactly.
        """
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            parts.append("BYDAY=" + ",".join(_RRULE_DAYS[day] for day in self.weekdays))
        if self.nth_weekday:
            nth, day = self.nth_weekday
            parts.append(f"BYDAY={nth}{_RRULE_DAYS[day]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            if start_local is None:
                parts.append(f"UNTIL={self.until:%Y%m%d}")
            else:
                last = localise(datetime.combine(self.until, time(23, 59, 59)), _zone(start_local))
                parts.append(f"UNTIL={last[0].astimezone(UTC):%Y%m%dT%H%M%SZ}")
        return ";".join(parts)

    def describe(self, language: str) -> str:
        """The rule in words, in ``language``, to show back to the member."""

        def t(message: str, /, **params: object) -> str:
            return translate(language, message, **params)

        n = self.interval
        if self.freq == "daily":
            text = t(_("every day")) if n == 1 else t(_("every {n} days"), n=n)
        elif self.freq == "weekly" and not self.weekdays:
            text = t(_("every week")) if n == 1 else t(_("every {n} weeks"), n=n)
        elif self.freq == "weekly":
            names = [t(_ON_DAYS[day]) for day in self.weekdays]
            days = names[0]
            if len(names) > 1:
                days = t(_("{first} and {last}"), first=", ".join(names[:-1]), last=names[-1])
            if n == 1:
                text = t(_("every week on {days}"), days=days)
            else:
                text = t(_("every {n} weeks on {days}"), n=n, days=days)
        elif self.nth_weekday is None:
            if n == 1:
                text = t(_("every month on the same date"))
            else:
                text = t(_("every {n} months on the same date"), n=n)
        else:
            nth, day = self.nth_weekday
            weekday, ordinal = t(_DAY_NAMES[day]), t(_NTH_NAMES[nth])
            if n == 1:
                text = t(_("the {nth} {weekday} of every month"), nth=ordinal, weekday=weekday)
            else:
                text = t(
                    _("the {nth} {weekday} of every {n} months"),
                    nth=ordinal,
                    weekday=weekday,
                    n=n,
                )
        if self.count is not None:
            text = t(_("{rule}, {count} times"), rule=text, count=self.count)
        if self.until is not None:
            shown = (
                f"{self.until.day}.{self.until.month}.{self.until.year}"
                if language == "fi"
                else self.until.isoformat()
            )
            text = t(_("{rule}, until {date}"), rule=text, date=shown)
        return text

    def check_start(self, start_local: datetime) -> None:
        """Refuse a first occurrence the rule itself would not produce.

        RFC 5545 leaves such a series undefined and calendar apps then add the start as an
        extra occurrence, so it is better to ask for a start on one of the series' days.
        A start in the second pass of a repeated hour is refused too: a series lives on the wall
        clock, where that time names the first pass.
        """
        if start_local.astimezone(UTC) != start_local.replace(fold=0).astimezone(UTC):
            raise UserFacingError(
                _(
                    "<t:{start}:F> is in the hour the clocks turn back, when the same wall-clock "
                    "time happens twice. A series repeats on the wall clock: start it outside "
                    "that hour."
                ),
                start=int(start_local.timestamp()),
            )
        candidates = self._rule(start_local.replace(tzinfo=None))
        first = next(iter(candidates), None)
        if first is not None and first != start_local.replace(tzinfo=None):
            raise UserFacingError(
                _(
                    "The first occurrence, <t:{start}:D>, is not on a day this series repeats "
                    "on: start the event on one of the series' days."
                ),
                start=int(start_local.timestamp()),
            )

    def occurrences(
        self, start_local: datetime, *, after: datetime | None = None, limit: int = 500
    ) -> list[datetime]:
        """Starts (aware, in the event's zone) from the first, strictly after ``after``.

        A wall time the clocks skip is moved forward by the length of the jump (03:30 becomes
        04:30); one that happens twice is the first (fold=0). An endless series is listed at
        most LISTING_HORIZON past ``after`` (or the start), and never beyond ``limit`` items.
        """
        zone = _zone(start_local)
        horizon = max(after or start_local, start_local) + LISTING_HORIZON
        found: list[datetime] = []
        for wall in self._wall_times(start_local.replace(tzinfo=None)):
            if len(found) >= limit:
                break
            moment = localise(wall, zone)[0]
            if moment > horizon:
                break
            if after is None or moment > after:
                found.append(moment)
        return found

    def next_occurrence(self, start_local: datetime, after: datetime) -> datetime | None:
        """The first start strictly after ``after`` (aware), or None when the series is over."""
        upcoming = self.occurrences(start_local, after=after, limit=1)
        return upcoming[0] if upcoming else None

    def _rule(self, start: datetime) -> rrule:
        if self.weekdays:
            byweekday: list[rrule_weekday] | None = [rrule_weekday(d) for d in self.weekdays]
        elif self.nth_weekday:
            byweekday = [rrule_weekday(self.nth_weekday[1], self.nth_weekday[0])]
        else:
            byweekday = None
        return rrule(
            _DATEUTIL_FREQ[self.freq],
            dtstart=start,
            interval=self.interval,
            byweekday=byweekday,
            count=self.count,
            until=datetime.combine(self.until, time.max) if self.until else None,
            wkst=0,
        )

    def _wall_times(self, start: datetime) -> Iterator[datetime]:
        """The start, then the rule's wall times: calendar apps always count DTSTART."""
        yield start
        for wall in self._rule(start):
            if wall != start:
                yield wall


def _zone(moment: datetime) -> ZoneInfo:
    if not isinstance(moment.tzinfo, ZoneInfo):
        raise ValueError("a series needs its start in a ZoneInfo zone")
    return moment.tzinfo


# -- parsing -------------------------------------------------------------------------------------


def parse_repeat(text: str, *, today: date | None = None) -> Recurrence:
    """A repeat rule from an English or Finnish phrase or an RRULE, checked against the limits.

    ``today`` (default: the UTC date now) bounds how far ahead an end date may be.
    """
    today = today or datetime.now(UTC).date()
    cleaned = " ".join(text.split()).lower()
    if cleaned.startswith("rrule:") or "freq=" in cleaned:
        rule = _from_rrule(text)
    else:
        rule = _from_phrase(cleaned, text, today)
    _check(rule, today)
    return rule


def _check(rule: Recurrence, today: date) -> None:
    if not 1 <= rule.interval <= INTERVAL_MAX:
        raise UserFacingError(_("The interval must be between 1 and {limit}."), limit=INTERVAL_MAX)
    if rule.count is not None and rule.until is not None:
        raise UserFacingError(_("End a series with a count or an end date, not both."))
    if rule.count is not None and not 1 <= rule.count <= COUNT_MAX:
        raise UserFacingError(
            _("A series can have 1 to {limit} occurrences; you asked for {count}."),
            limit=COUNT_MAX,
            count=rule.count,
        )
    if rule.until is not None:
        latest = today.replace(year=today.year + UNTIL_MAX_YEARS, day=min(today.day, 28))
        if rule.until > latest:
            raise UserFacingError(
                _("A series can run at most {years} years: end it on {latest} or earlier."),
                years=UNTIL_MAX_YEARS,
                latest=latest.isoformat(),
            )


# Ends of a phrase: "count 10", "for 10 times", "10 kertaa", "until 30.6.2027", "30.6.2027 asti".
_ENDINGS = (
    re.compile(r"(?P<rest>.+?),?\s+(?:count\s*[:=]?\s*|for\s+|x\s*)(?P<count>\d+)(?:\s+times)?"),
    re.compile(r"(?P<rest>.+?),?\s+(?P<count>\d+)\s*(?:times|kertaa|krt)"),
    re.compile(r"(?P<rest>.+?),?\s+(?:until|till|kunnes)\s+(?P<until>\S+)"),
    re.compile(r"(?P<rest>.+?),?\s+(?P<until>\S+)\s+(?:asti|saakka)"),
)


def _days(text: str | None) -> tuple[int, ...] | None:
    """Weekdays from ``mon,wed``, ``Tuesday and Thursday``, ``tiistaisin ja torstaisin``."""
    if not text:
        return ()
    words = re.split(r"\s*(?:,|&|/|\band\b|\bja\b|\s)\s*", text)
    numbers = [weekday_number(word) for word in words if word]
    if not numbers or None in numbers:
        return None
    return tuple(sorted({n for n in numbers if n is not None}))


def _weekly(interval: int, days_text: str | None) -> Recurrence | None:
    days = _days(days_text)
    return None if days is None else Recurrence("weekly", interval, days)


def _nth(interval: int, nth_word: str, day_word: str) -> Recurrence | None:
    nth, day = _NTH.get(nth_word), weekday_number(day_word)
    if nth is None or day is None:
        return None
    return Recurrence("monthly", interval, nth_weekday=(nth, day))


def _int(match: re.Match[str], group: str = "n") -> int:
    return int(match[group]) if match[group] else 1


_Builder = Callable[[re.Match[str]], Recurrence | None]
_PHRASES: tuple[tuple[str, _Builder], ...] = (
    (r"daily|every day|päivittäin|joka päivä", lambda m: Recurrence("daily")),
    (r"every (?P<n>\d+) days|(?P<m>\d+) päivän välein", lambda m: _every_n(m, "daily")),
    (r"(?:weekly|every week)(?: on (?P<days>.+))?", lambda m: _weekly(1, m["days"])),
    (
        r"(?:biweekly|fortnightly|every other week|every second week)(?: on (?P<days>.+))?",
        lambda m: _weekly(2, m["days"]),
    ),
    (r"every (?P<n>\d+) weeks(?: on (?P<days>.+))?", lambda m: _weekly(_int(m), m["days"])),
    (r"every other (?P<days>.+)", lambda m: _weekly(2, m["days"])),
    (r"every (?:second|2nd) (?P<day>\S+)", lambda m: _ambiguous_second(m["day"])),
    (r"(?:on )?every (?P<days>.+)", lambda m: _weekly(1, m["days"])),
    (r"monthly|every month|kuukausittain|joka kuukausi", lambda m: Recurrence("monthly")),
    (r"every (?P<n>\d+) months|(?P<m>\d+) kuukauden välein", lambda m: _every_n(m, "monthly")),
    (
        r"(?:monthly|every month) on the (?P<nth>\S+) (?P<day>\S+)",
        lambda m: _nth(1, m["nth"], m["day"]),
    ),
    (
        r"every (?P<n>\d+) months on the (?P<nth>\S+) (?P<day>\S+)",
        lambda m: _nth(_int(m), m["nth"], m["day"]),
    ),
    (
        r"(?:on )?(?:the )?(?P<nth>\S+) (?P<day>\S+) of (?:the|each|every) month",
        lambda m: _nth(1, m["nth"], m["day"]),
    ),
    (
        r"(?:(?:joka )?kuukauden|kuukausittain|joka kuukausi) (?P<nth>\S+) (?P<day>\S+)",
        lambda m: _nth(1, m["nth"], m["day"]),
    ),
    (r"(?:viikoittain|joka viikko)(?: (?P<days>.+))?", lambda m: _weekly(1, m["days"])),
    (r"joka toinen viikko(?: (?P<days>.+))?", lambda m: _weekly(2, m["days"])),
    (
        r"(?:(?P<n>\d+) viikon välein|joka (?P<m>\d+)\. viikko)(?: (?P<days>.+))?",
        lambda m: _weekly(int(m["n"] or m["m"]), m["days"]),
    ),
    (r"joka toinen (?P<days>.+)", lambda m: _weekly(2, m["days"])),
    (r"(?:joka )?(?P<days>.+)", lambda m: _weekly(1, m["days"])),
)
_COMPILED = tuple((re.compile(pattern), build) for pattern, build in _PHRASES)


def _every_n(match: re.Match[str], freq: Freq) -> Recurrence:
    return Recurrence(freq, int(match["n"] or match["m"]))


def _ambiguous_second(day_word: str) -> Recurrence | None:
    day = weekday_number(day_word)
    if day is None:
        return None
    name = _DAY_NAMES[day]
    raise UserFacingError(
        _(
            "“every second {weekday}” can mean every other week or the second {weekday} of the "
            "month. Write “every 2 weeks on {weekday}” or “monthly on the 2nd {weekday}”."
        ),
        weekday=name,
    )


def _from_phrase(cleaned: str, original: str, today: date) -> Recurrence:
    count: int | None = None
    until: date | None = None
    while ending := next(filter(None, (e.fullmatch(cleaned) for e in _ENDINGS)), None):
        found = ending.groupdict()
        if found.get("count") and count is None:
            count = int(found["count"])
        elif found.get("until") and until is None:
            until = parse_date(found["until"], today=today)
        else:
            break  # a second count or end date: left in, so the phrase is not understood
        cleaned = ending["rest"]
    for pattern, build in _COMPILED:
        match = pattern.fullmatch(cleaned)
        rule = build(match) if match else None
        if rule is not None:
            return replace(rule, until=until, count=count)
    raise UserFacingError(UNREADABLE_REPEAT, text=original.strip())


_BYDAY = re.compile(r"(?P<nth>[+-]?\d)?(?P<day>MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(?P<date>\d{8})(?:T\d{6}Z?)?")


def _from_rrule(text: str) -> Recurrence:
    """An RFC 5545 RRULE with the parts a meeting series needs; anything else is refused."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    parts: dict[str, str] = {}
    for item in filter(None, (piece.strip() for piece in body.split(";"))):
        key, _sep, value = (s.strip().upper() for s in item.partition("="))
        if not value or key in parts:
            raise UserFacingError(UNSUPPORTED_RRULE, part=item)
        parts[key] = value
    for key in sorted(set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYSETPOS", "COUNT", "UNTIL"}):
        if (key, parts[key]) != ("WKST", "MO"):
            raise UserFacingError(UNSUPPORTED_RRULE, part=f"{key}={parts[key]}")
    freq = _RRULE_FREQ.get(parts.get("FREQ", ""))
    if freq is None:
        raise UserFacingError(UNSUPPORTED_RRULE, part=f"FREQ={parts.get('FREQ', '')}")

    def number(key: str) -> int | None:
        if key not in parts:
            return None
        if not parts[key].lstrip("-").isdigit():
            raise UserFacingError(UNSUPPORTED_RRULE, part=f"{key}={parts[key]}")
        return int(parts[key])

    until = _rrule_until(parts["UNTIL"]) if "UNTIL" in parts else None
    rule = Recurrence(freq, number("INTERVAL") or 1, until=until, count=number("COUNT"))
    setpos = number("BYSETPOS")
    days = [_BYDAY.fullmatch(day) for day in parts.get("BYDAY", "").split(",") if day]
    found = [(int(m["nth"]) if m["nth"] else None, _RRULE_DAYS.index(m["day"])) for m in days if m]
    if not days and setpos is None:
        return rule
    if None not in days:
        if freq == "weekly" and setpos is None and all(nth is None for nth, _day in found):
            return replace(rule, weekdays=tuple(sorted({day for _nth, day in found})))
        if freq == "monthly" and len(found) == 1:
            written, day = found[0]
            nth = written if setpos is None else (setpos if written is None else None)
            if nth is not None and nth in _NTH.values():
                return replace(rule, nth_weekday=(nth, day))
    by = (f"{key}={parts[key]}" for key in ("BYDAY", "BYSETPOS") if key in parts)
    raise UserFacingError(UNSUPPORTED_RRULE, part=";".join(by))


def _rrule_until(value: str) -> date:
    """UNTIL as a day: a UTC date-time counts as its UTC date (exact for zones near Europe)."""
    match = _UNTIL.fullmatch(value)
    digits = match["date"] if match else ""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise UserFacingError(UNSUPPORTED_RRULE, part=f"UNTIL={value}") from None
