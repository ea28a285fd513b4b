"""Repeat rules for event series, computed on the event's own wall clock.

A series is read from a short English or Finnish phrase or from an RFC 5545 RRULE (as Google
Calendar and Outlook export it, with EXDATE lines), stored as the RRULE value (without
``RRULE:``, EXDATEs on a second line) and read back with the same parser. Occurrences are worked
out here on naive wall-clock days and only then placed in the event's zone, so a 10:00 Helsinki
meeting stays at 10:00 on both sides of a clock change.

The expansion is our own, not dateutil's: dateutil walks period by period until year 9999 when a
rule can never match (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`` takes seconds), and a rule is read
on the event loop. Ours never looks further than SERIES_YEARS past the start. The tests check it
against dateutil and recurring-ical-events on generated rules.

Rules finer than a day (HOURLY, BYHOUR, ...) are refused: an event has one start time a day.
BYWEEKNO is refused too (no calendar app exports it for meetings; its week-1 rules are a
classic source of off-by-a-week series).

"every second Tuesday" is refused on purpose: in British usage it means every other week, in
EU meeting calendars often the second Tuesday of the month, and a series read the wrong way
misplaces every meeting. The member is asked to write ``every 2 weeks on Tuesday`` or
``monthly on the 2nd Tuesday`` instead. Finnish ``joka toinen tiistai`` is unambiguous (every
other week) and accepted.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.timeparse import localise, parse_date, weekday_number

Freq = Literal["daily", "weekly", "monthly", "yearly"]
Until = date | datetime  # a day in the event's zone; a naive wall time there; an aware instant

COUNT_MAX = 500
INTERVAL_MAX = 99
UNTIL_MAX_YEARS = 5
SERIES_YEARS = 10  # no series is expanded further than this past its start
EXDATES_MAX = 500
TEXT_MAX = 2000  # an RRULE with EXDATEs pasted from a calendar
LISTING_HORIZON = timedelta(days=2 * 365)  # how far ahead an endless series is listed
EARLIEST_YEAR = 2000  # dates in a stored rule are read back years later: no "now" lower bound

_RRULE_FREQ: dict[str, Freq] = {
    "DAILY": "daily",
    "WEEKLY": "weekly",
    "MONTHLY": "monthly",
    "YEARLY": "yearly",
}
_SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
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
    "weekly on mon,wed, monthly on the 2nd Tuesday, monthly on the last Friday, yearly, joka "
    "toinen viikko or kuukauden viimeinen perjantai; end it with “count 10” or “until "
    "2027-06-30”. An RRULE from your calendar works too."
)
UNSUPPORTED_RRULE = _(
    "This repeat rule uses {part}, which I can't follow. I follow RFC 5545 rules from daily to "
    "yearly (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY with INTERVAL, COUNT or UNTIL, BYDAY, "
    "BYMONTHDAY, BYMONTH, BYYEARDAY, BYSETPOS and WKST) and EXDATE; an event starts once a day, "
    "so nothing finer than a day."
)
TOO_LONG_REPEAT = _("The repeat rule is {length} characters long; keep it within {limit}.")

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
    """How a series repeats: an RFC 5545 RRULE from daily to yearly, and its EXDATEs.

    Weekdays are 0 = Monday. Empty BY parts take the first occurrence's day, as in RFC 5545.
    """

    freq: Freq
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # BYDAY without an ordinal: every such weekday
    nth_weekdays: tuple[tuple[int, int], ...] = ()  # BYDAY=2TU is (2, 1), -1FR is (-1, 4)
    monthdays: tuple[int, ...] = ()  # BYMONTHDAY, -1 = the last day
    months: tuple[int, ...] = ()  # BYMONTH
    yeardays: tuple[int, ...] = ()  # BYYEARDAY (yearly rules only)
    setpos: tuple[int, ...] = ()  # BYSETPOS
    wkst: int = 0
    until: Until | None = None  # included
    count: int | None = None
    exdates: tuple[Until, ...] = ()  # left out: a day, a wall time in the zone, or an instant

    @property
    def nth_weekday(self) -> tuple[int, int] | None:
        """The one ``(nth, weekday)`` of a "2nd Tuesday of the month" rule, if that is all."""
        return self.nth_weekdays[0] if len(self.nth_weekdays) == 1 else None

    # -- writing -------------------------------------------------------------------------------

    def to_rrule_string(self, start_local: datetime | None = None) -> str:
        """The RFC 5545 RRULE value (no ``RRULE:``, no EXDATE).

        RFC 5545 wants UNTIL in UTC when DTSTART has a zone, so given the first start, UNTIL is
        written as that instant (a day: its last second in the start's zone). Without it (the
        stored form) UNTIL is written as read, which parse_repeat reads back exactly.
        """
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.months:
            parts.append("BYMONTH=" + ",".join(map(str, self.months)))
        if self.yeardays:
            parts.append("BYYEARDAY=" + ",".join(map(str, self.yeardays)))
        if self.monthdays:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.monthdays)))
        days = [_RRULE_DAYS[d] for d in self.weekdays]
        days += [f"{n}{_RRULE_DAYS[d]}" for n, d in self.nth_weekdays]
        if days:
            parts.append("BYDAY=" + ",".join(days))
        if self.setpos:
            parts.append("BYSETPOS=" + ",".join(map(str, self.setpos)))
        if self.wkst:
            parts.append(f"WKST={_RRULE_DAYS[self.wkst]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            if start_local is None:
                parts.append(f"UNTIL={_written(self.until)}")
            else:
                last = _until_instant(self.until, _zone(start_local))
                parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
        return ";".join(parts)

    def text(self) -> str:
        """The stored form: the RRULE value, and the EXDATEs on a second line."""
        if not self.exdates:
            return self.to_rrule_string()
        exdates = ",".join(_written(moment) for moment in self.exdates)
        return f"{self.to_rrule_string()}\nEXDATE:{exdates}"

    def describe(self, language: str) -> str:
        """The rule in words, in ``language``, to show back to the member."""

        def t(message: str, /, **params: object) -> str:
            return translate(language, message, **params)

        text = self._shape_in_words(t)
        if text is None:
            text = t(_("by the calendar rule {rule}"), rule=self.to_rrule_string())
        if self.count is not None:
            text = t(_("{rule}, {count} times"), rule=text, count=self.count)
        if isinstance(self.until, datetime):
            shown = (
                f"<t:{int(self.until.timestamp())}:f>"
                if self.until.tzinfo is not None
                else self.until.strftime("%Y-%m-%d %H:%M")
            )
            text = t(_("{rule}, until {date}"), rule=text, date=shown)
        elif self.until is not None:
            shown = (
                f"{self.until.day}.{self.until.month}.{self.until.year}"
                if language == "fi"
                else self.until.isoformat()
            )
            text = t(_("{rule}, until {date}"), rule=text, date=shown)
        if self.exdates:
            text = t(_("{rule}; dates left out: {count}"), rule=text, count=len(self.exdates))
        return text

    def _shape_in_words(self, t: Callable[..., str]) -> str | None:
        """The rule in words when it has one of the shapes phrases make; else None."""
        n, freq = self.interval, self.freq
        if self.months or self.yeardays or self.setpos:
            return None
        if (self.wkst and n > 1) or len(self.monthdays) > 1:
            return None
        if freq == "daily" and not (self.monthdays or self.nth_weekdays):
            if self.weekdays and n == 1:
                freq = "weekly"  # every day that is a Monday or a Wednesday: weekly on them
            elif not self.weekdays:
                return t(_("every day")) if n == 1 else t(_("every {n} days"), n=n)
        if freq == "weekly" and not (self.monthdays or self.nth_weekdays):
            if not self.weekdays:
                return t(_("every week")) if n == 1 else t(_("every {n} weeks"), n=n)
            if n == 1 and len(set(self.weekdays)) == len(_ON_DAYS):
                return t(_("every day"))  # not "every week on Mondays, …, and Sundays"
            names = [t(_ON_DAYS[day]) for day in self.weekdays]
            days = names[0]
            if len(names) > 1:
                days = t(_("{first} and {last}"), first=", ".join(names[:-1]), last=names[-1])
            if n == 1:
                return t(_("every week on {days}"), days=days)
            return t(_("every {n} weeks on {days}"), n=n, days=days)
        if freq == "monthly" and not (self.weekdays or self.nth_weekdays):
            if not self.monthdays:
                if n == 1:
                    return t(_("every month on the same date"))
                return t(_("every {n} months on the same date"), n=n)
            (day,) = self.monthdays
            if day == -1:
                if n == 1:
                    return t(_("the last day of every month"))
                return t(_("the last day of every {n} months"), n=n)
            if day > 0 and n == 1:
                return t(_("every month on day {day}"), day=day)
            if day > 0:
                return t(_("every {n} months on day {day}"), n=n, day=day)
            return None
        if freq == "monthly" and self.nth_weekday and not (self.weekdays or self.monthdays):
            nth, day = self.nth_weekday
            if nth not in _NTH_NAMES:
                return None
            weekday, ordinal = t(_DAY_NAMES[day]), t(_NTH_NAMES[nth])
            if n == 1:
                return t(_("the {nth} {weekday} of every month"), nth=ordinal, weekday=weekday)
            return t(
                _("the {nth} {weekday} of every {n} months"), nth=ordinal, weekday=weekday, n=n
            )
        if freq == "yearly" and not (self.weekdays or self.nth_weekdays or self.monthdays):
            if n == 1:
                return t(_("every year on the same date"))
            return t(_("every {n} years on the same date"), n=n)
        return None

    # -- checking a start ----------------------------------------------------------------------

    def check_start(self, start_local: datetime) -> None:
        """Refuse a first occurrence the rule itself would not produce, naming the first that
        would.

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
        if self.until is not None and not _until_allows(self.until, start_local):
            # Accepted, such a series would have no date at all: an announcement with no time.
            raise UserFacingError(
                _(
                    "This series ends ({until}) before its first date, <t:{start}:D>: no date "
                    "would happen. End it on that day or later."
                ),
                until=_until_shown(self.until),
                start=int(start_local.timestamp()),
            )
        wall = start_local.replace(tzinfo=None)
        first = next(self._rule_days(wall, wall.date() + timedelta(days=366 * SERIES_YEARS)), None)
        if first == wall.date():
            return
        if first is None:
            raise UserFacingError(
                _("This repeat rule gives no date after <t:{start}:D>: check its parts."),
                start=int(start_local.timestamp()),
            )
        fits = localise(datetime.combine(first, wall.time()), _zone(start_local))[0]
        raise UserFacingError(
            _(
                "The first occurrence, <t:{start}:D>, is not on a day this series repeats on. "
                "The first day that fits is <t:{first}:D>: start the event then."
            ),
            start=int(start_local.timestamp()),
            first=int(fits.timestamp()),
        )

    # -- expanding -----------------------------------------------------------------------------

    def occurrences(
        self, start_local: datetime, *, after: datetime | None = None, limit: int = 500
    ) -> list[datetime]:
        """Starts (aware, in the event's zone) from the first, strictly after ``after``.

        A wall time the clocks skip is moved forward by the length of the jump (03:30 becomes
        04:30); one that happens twice is the first (fold=0). An endless series is listed at
        most LISTING_HORIZON past ``after`` (or the start), never beyond ``limit`` items, and
        nothing is listed more than SERIES_YEARS past the start.
        """
        zone = _zone(start_local)
        wall_start = start_local.replace(tzinfo=None)
        last_day = _add_years(wall_start.date(), SERIES_YEARS)
        if after is not None:
            last_day = min(last_day, (after.astimezone(zone) + LISTING_HORIZON).date())
        else:
            last_day = min(last_day, (start_local + LISTING_HORIZON).date())
        horizon = max(after or start_local, start_local) + LISTING_HORIZON
        found: list[datetime] = []
        for moment in self._starts(start_local, last_day):
            if len(found) >= limit or moment > horizon:
                break
            if after is None or moment > after:
                found.append(moment)
        return found

    def excluded(self, start_local: datetime) -> list[datetime]:
        """The starts the EXDATEs take out of the series (for a calendar file's EXDATE)."""
        if not self.exdates:
            return []
        last_day = _add_years(start_local.date(), SERIES_YEARS)
        kept = set(self._starts(start_local, last_day))
        every = self._starts(start_local, last_day, with_exdates=False)
        return [moment for moment in every if moment not in kept]

    def next_occurrence(self, start_local: datetime, after: datetime) -> datetime | None:
        """The first start strictly after ``after`` (aware), or None when the series is over."""
        upcoming = self.occurrences(start_local, after=after, limit=1)
        return upcoming[0] if upcoming else None

    def _starts(
        self, start_local: datetime, last_day: date, *, with_exdates: bool = True
    ) -> Iterator[datetime]:
        """The series' starts up to ``last_day``: the start itself (calendar apps always count
        DTSTART), then the rule's days at the start's wall time, within COUNT and UNTIL."""
        zone = _zone(start_local)
        wall_start = start_local.replace(tzinfo=None)
        days = self._rule_days(wall_start, last_day)
        produced = 0
        for day in _with_first(wall_start.date(), days):
            if self.count is not None and produced >= self.count:
                return
            produced += 1
            if day == wall_start.date():
                moment = start_local
            else:
                moment = localise(datetime.combine(day, wall_start.time()), zone)[0]
            if self.until is not None and not _until_allows(self.until, moment):
                return
            if with_exdates and self.exdates and _excluded(self.exdates, moment):
                continue
            yield moment

    def _rule_days(self, start: datetime, last_day: date) -> Iterator[date]:
        """The days the rule itself makes, from ``start``'s day to ``last_day``, ascending
        (without COUNT, UNTIL or the start's own day being added): RFC 5545's BY parts applied
        to each period of FREQ and INTERVAL, with BYSETPOS picking from each period's set."""
        first = start.date()
        months, monthdays, weekdays = self.months, self.monthdays, self.weekdays
        if not (self.yeardays or monthdays or weekdays or self.nth_weekdays):
            # RFC 5545: parts not given take the start's (as dateutil and calendar apps do)
            if self.freq == "yearly":
                months = months or (first.month,)
                monthdays = (first.day,)
            elif self.freq == "monthly":
                monthdays = (first.day,)
            elif self.freq == "weekly":
                weekdays = (first.weekday(),)
        chosen = _Filter(
            months=frozenset(months),
            monthdays=frozenset(monthdays),
            yeardays=frozenset(self.yeardays),
            weekdays=frozenset(weekdays),
            nth_weekdays=frozenset(self.nth_weekdays),
            nth_in_year=self.freq == "yearly" and not months,
        )
        for period in self._periods(first, last_day):
            matching = [day for day in period if chosen.matches(day)]
            if self.setpos:
                matching = _pick(matching, self.setpos)
            for day in matching:
                if day > last_day:
                    return
                if day >= first:
                    yield day

    def _periods(self, first: date, last_day: date) -> Iterator[list[date]]:
        """The days of each FREQ period (every INTERVAL-th) from the one holding ``first``."""
        step = self.interval
        if self.freq == "daily":
            day = first
            while day <= last_day:
                yield [day]
                day += timedelta(days=step)
        elif self.freq == "weekly":
            week = first - timedelta(days=(first.weekday() - self.wkst) % 7)
            while week <= last_day:
                yield [week + timedelta(days=i) for i in range(7)]
                week += timedelta(weeks=step)
        elif self.freq == "monthly":
            month = first.year * 12 + first.month - 1
            while (begin := date(month // 12, month % 12 + 1, 1)) <= last_day:
                length = calendar.monthrange(begin.year, begin.month)[1]
                yield [begin + timedelta(days=i) for i in range(length)]
                month += step
        else:
            year = first.year
            while year <= last_day.year:
                begin = date(year, 1, 1)
                yield [begin + timedelta(days=i) for i in range(_year_length(year))]
                year += step


@dataclass(frozen=True)
class _Filter:
    """Which days of a period a rule's BY parts keep."""

    months: frozenset[int]
    monthdays: frozenset[int]
    yeardays: frozenset[int]
    weekdays: frozenset[int]
    nth_weekdays: frozenset[tuple[int, int]]
    nth_in_year: bool  # a yearly rule without BYMONTH counts "2nd Monday" in the year

    def matches(self, day: date) -> bool:
        if self.months and day.month not in self.months:
            return False
        month_length = calendar.monthrange(day.year, day.month)[1]
        if self.monthdays and not (
            day.day in self.monthdays or day.day - month_length - 1 in self.monthdays
        ):
            return False
        year_day, year_length = day.timetuple().tm_yday, _year_length(day.year)
        if self.yeardays and not (
            year_day in self.yeardays or year_day - year_length - 1 in self.yeardays
        ):
            return False
        if not (self.weekdays or self.nth_weekdays):
            return True
        weekday = day.weekday()
        if weekday in self.weekdays:
            return True
        if self.nth_in_year:
            nth, from_end = (year_day - 1) // 7 + 1, -((year_length - year_day) // 7 + 1)
        else:
            nth, from_end = (day.day - 1) // 7 + 1, -((month_length - day.day) // 7 + 1)
        return (nth, weekday) in self.nth_weekdays or (from_end, weekday) in self.nth_weekdays


def _pick(days: list[date], positions: tuple[int, ...]) -> list[date]:
    """BYSETPOS: the n-th (or n-th from the end) of a period's days, in order."""
    picked = set()
    for position in positions:
        index = position - 1 if position > 0 else len(days) + position
        if 0 <= index < len(days):
            picked.add(days[index])
    return sorted(picked)


def _with_first(first: date, days: Iterator[date]) -> Iterator[date]:
    yield first
    for day in days:
        if day != first:
            yield day


def _year_length(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _add_years(day: date, years: int) -> date:
    return date(min(day.year + years, 9998), day.month, min(day.day, 28))


def _zone(moment: datetime) -> ZoneInfo:
    if not isinstance(moment.tzinfo, ZoneInfo):
        raise ValueError("a series needs its start in a ZoneInfo zone")
    return moment.tzinfo


def _until_instant(until: Until, zone: ZoneInfo) -> datetime:
    """UNTIL as the instant (UTC) a calendar file needs next to a zoned DTSTART."""
    if isinstance(until, datetime):
        if until.tzinfo is not None:
            return until.astimezone(UTC)
        return localise(until, zone)[0].astimezone(UTC)
    return localise(datetime.combine(until, time(23, 59, 59)), zone)[0].astimezone(UTC)


def _until_shown(until: Until) -> str:
    """An end as the member wrote it: a day, a wall time, or an instant each reader sees."""
    if isinstance(until, datetime):
        if until.tzinfo is not None:
            return f"<t:{int(until.timestamp())}:f>"
        return until.strftime("%Y-%m-%d %H:%M")
    return until.isoformat()


def _until_allows(until: Until, moment: datetime) -> bool:
    """Whether a start (aware, in the event's zone) is on or before UNTIL (RFC 5545: included).
    A day compares with the start's day, a wall time with its wall time, an instant exactly."""
    if isinstance(until, datetime):
        if until.tzinfo is not None:
            return moment <= until
        return moment.replace(tzinfo=None) <= until
    return moment.date() <= until


def _excluded(exdates: tuple[Until, ...], moment: datetime) -> bool:
    wall = moment.replace(tzinfo=None)
    for excluded in exdates:
        if isinstance(excluded, datetime):
            if excluded.tzinfo is not None and excluded == moment:
                return True
            if excluded.tzinfo is None and excluded == wall:
                return True
        elif excluded == moment.date():
            return True
    return False


def _written(moment: Until) -> str:
    """A day, wall time or instant as RFC 5545 writes it: 20270630, 20270630T100000(Z)."""
    if not isinstance(moment, datetime):
        return f"{moment:%Y%m%d}"
    if moment.tzinfo is None:
        return f"{moment:%Y%m%dT%H%M%S}"
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# -- parsing -------------------------------------------------------------------------------------


def parse_repeat(text: str, *, today: date | None = None) -> Recurrence:
    """A repeat rule from an English or Finnish phrase or an RRULE, checked against the limits.

    ``today`` (default: the UTC date now) bounds how far ahead an end date may be.
    """
    today = today or datetime.now(UTC).date()
    if len(text) > TEXT_MAX:
        raise UserFacingError(TOO_LONG_REPEAT, length=len(text), limit=TEXT_MAX)
    cleaned = " ".join(text.split()).lower()
    if cleaned.startswith(("rrule:", "exdate")) or "freq=" in cleaned:
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
        if rule.until.year < EARLIEST_YEAR or _day_of(rule.until) > latest:
            raise UserFacingError(
                _("A series can run at most {years} years: end it on {latest} or earlier."),
                years=UNTIL_MAX_YEARS,
                latest=latest.isoformat(),
            )


def _day_of(moment: Until) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


# Ends of a phrase: "count 10", "for 10 times", "10 kertaa", "until 30.6.2027", "30.6.2027 asti".
_ENDINGS = (
    re.compile(
        r"(?P<rest>.+?),?\s+(?:count\s*[:=]?\s*|for\s+|x\s*)(?P<count>[0-9]{1,4})(?:\s+times)?"
    ),
    re.compile(r"(?P<rest>.+?),?\s+(?P<count>[0-9]{1,4})\s*(?:times|kertaa|krt)"),
    re.compile(r"(?P<rest>.+?),?\s+(?:until|till|kunnes)\s+(?P<until>\S+)"),
    re.compile(r"(?P<rest>.+?),?\s+(?P<until>\S+)\s+(?:asti|saakka)"),
)


# An ending with no rule before it: "count 10", "10 times", "until 2027-06-30", "30.6.2027 asti".
_ENDING_ALONE = re.compile(
    r"(?:count\s*[:=]?\s*|for\s+|x\s*)?[0-9]{1,4}(?:\s*(?:times|kertaa|krt))?"
    r"|(?:until|till|kunnes)\s+\S+|\S+\s+(?:asti|saakka)"
)
ENDING_ALONE = _(
    "“{text}” says when a series ends, not how often it repeats: put a rule before it, e.g. "
    "“weekly {text}” or “monthly on the 15th {text}”."
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
    return Recurrence("monthly", interval, nth_weekdays=((nth, day),))


def _monthday(text: str) -> Recurrence | None:
    day = int(text)
    return Recurrence("monthly", monthdays=(day,)) if 1 <= day <= 31 else None


def _int(match: re.Match[str], group: str = "n") -> int:
    return int(match[group]) if match[group] else 1


_Builder = Callable[[re.Match[str]], Recurrence | None]
_PHRASES: tuple[tuple[str, _Builder], ...] = (
    (r"daily|every day|päivittäin|joka päivä", lambda m: Recurrence("daily")),
    (
        r"every (?P<n>[0-9]{1,4}) days|(?P<m>[0-9]{1,4}) päivän välein",
        lambda m: _every_n(m, "daily"),
    ),
    (r"(?:weekly|every week)(?: on (?P<days>.+))?", lambda m: _weekly(1, m["days"])),
    (
        r"(?:biweekly|fortnightly|every other week|every second week)(?: on (?P<days>.+))?",
        lambda m: _weekly(2, m["days"]),
    ),
    (r"every (?P<n>[0-9]{1,4}) weeks(?: on (?P<days>.+))?", lambda m: _weekly(_int(m), m["days"])),
    (r"every other (?P<days>.+)", lambda m: _weekly(2, m["days"])),
    (r"every (?:second|2nd) (?P<day>\S+)", lambda m: _ambiguous_second(m["day"])),
    (r"(?:on )?every (?P<days>.+)", lambda m: _weekly(1, m["days"])),
    (r"monthly|every month|kuukausittain|joka kuukausi", lambda m: Recurrence("monthly")),
    (
        r"(?:monthly|every month) on (?:the )?(?:day )?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
        r"|(?:joka )?kuukauden (?P<fi>[0-9]{1,2})\. päivä",
        lambda m: _monthday(m["day"] or m["fi"]),
    ),
    (
        r"(?:monthly|every month) on the last day|the last day of (?:the|each|every) month"
        r"|(?:joka )?kuukauden viimeinen päivä",
        lambda m: Recurrence("monthly", monthdays=(-1,)),
    ),
    (r"yearly|annually|every year|vuosittain|joka vuosi", lambda m: Recurrence("yearly")),
    (
        r"every (?P<n>[0-9]{1,4}) years|(?P<m>[0-9]{1,4}) vuoden välein",
        lambda m: _every_n(m, "yearly"),
    ),
    (
        r"every (?P<n>[0-9]{1,4}) months|(?P<m>[0-9]{1,4}) kuukauden välein",
        lambda m: _every_n(m, "monthly"),
    ),
    (
        r"(?:monthly|every month) on the (?P<nth>\S+) (?P<day>\S+)",
        lambda m: _nth(1, m["nth"], m["day"]),
    ),
    (
        r"every (?P<n>[0-9]{1,4}) months on the (?P<nth>\S+) (?P<day>\S+)",
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
        r"(?:(?P<n>[0-9]{1,4}) viikon välein|joka (?P<m>[0-9]{1,4})\. viikko)(?: (?P<days>.+))?",
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
    if _ENDING_ALONE.fullmatch(cleaned):
        raise UserFacingError(ENDING_ALONE, text=original.strip())
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


_RULE_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")
_BYDAY = re.compile(r"(?P<nth>[+-]?[0-9]{1,2})?(?P<day>MO|TU|WE|TH|FR|SA|SU)")
_MOMENT = re.compile(r"(?P<d>[0-9]{8})(?:T(?P<t>[0-9]{6})(?P<z>Z)?)?")
_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY"}
_PARTS |= {"BYSETPOS", "WKST"}
_LINE = re.compile(r"(?P<name>RRULE|EXDATE)(?P<params>(?:;[A-Z-]+=[^;:]+)*):(?P<value>\S+)", re.I)


def _from_rrule(text: str) -> Recurrence:
    """An RRULE (with or without ``RRULE:``) and any EXDATE lines, as calendar apps export
    them; parts finer than a day, or outside RFC 5545, are refused naming the part."""
    stripped = text.strip()
    if "=" in stripped.split(":", 1)[0] or not re.match(r"(?i)rrule|exdate", stripped):
        stripped = "RRULE:" + stripped  # a bare RRULE value
    body: str | None = None
    exdates: list[Until] = []
    position = 0
    for match in _LINE.finditer(stripped):
        if stripped[position : match.start()].strip():
            raise UserFacingError(UNSUPPORTED_RRULE, part=stripped[position : match.start()][:40])
        position = match.end()
        if match["name"].upper() == "RRULE":
            if body is not None or match["params"]:
                raise UserFacingError(UNSUPPORTED_RRULE, part=match[0][:40])
            body = match["value"]
        else:
            exdates += _exdates(match["params"], match["value"])
    if stripped[position:].strip() or body is None:
        raise UserFacingError(UNSUPPORTED_RRULE, part=(stripped[position:] or text).strip()[:40])
    if len(exdates) > EXDATES_MAX:
        raise UserFacingError(
            _("At most {limit} excluded dates (EXDATE), please."), limit=EXDATES_MAX
        )
    rule = _rule_parts(body)
    return replace(rule, exdates=tuple(sorted(set(exdates), key=_sort_key)))


def _sort_key(moment: Until) -> tuple[date, str]:
    return (_day_of(moment), _written(moment))


def _rule_parts(body: str) -> Recurrence:
    parts: dict[str, str] = {}
    for item in filter(None, (piece.strip() for piece in body.split(";"))):
        key, _sep, value = (s.strip().upper() for s in item.partition("="))
        if not value or key in parts:
            raise UserFacingError(UNSUPPORTED_RRULE, part=item[:40])
        parts[key] = value
    for key in sorted(parts):
        if key not in _PARTS:
            raise UserFacingError(UNSUPPORTED_RRULE, part=f"{key}={parts[key]}"[:40])
    written_freq = parts.get("FREQ", "")
    freq = _RRULE_FREQ.get(written_freq)
    if freq is None:
        raise UserFacingError(UNSUPPORTED_RRULE, part=f"FREQ={written_freq}"[:40])

    def refuse(key: str) -> UserFacingError:
        return UserFacingError(UNSUPPORTED_RRULE, part=f"{key}={parts[key]}"[:40])

    def numbers(key: str, low: int, high: int, *, negative: bool = True) -> tuple[int, ...]:
        if key not in parts:
            return ()
        found = set()
        for piece in parts[key].split(","):
            if not _RULE_NUMBER.fullmatch(piece):
                raise refuse(key)
            value = int(piece)
            if not low <= abs(value) <= high or (value < 0 and not negative):
                raise refuse(key)
            found.add(value)
        return tuple(sorted(found, key=lambda v: (v < 0, v)))

    def one(key: str, high: int) -> int | None:
        if key not in parts:
            return None
        if not re.fullmatch(r"[0-9]{1,4}", parts[key]) or int(parts[key]) > high:
            raise refuse(key)
        return int(parts[key])

    weekdays: set[int] = set()
    nth_weekdays: set[tuple[int, int]] = set()
    for piece in filter(None, parts.get("BYDAY", "").split(",")):
        match = _BYDAY.fullmatch(piece)
        if match is None:
            raise refuse("BYDAY")
        day = _RRULE_DAYS.index(match["day"])
        if match["nth"] is None:
            weekdays.add(day)
            continue
        nth = int(match["nth"])
        if freq not in ("monthly", "yearly") or nth == 0 or abs(nth) > 53:
            raise refuse("BYDAY")  # RFC 5545: an ordinal only in monthly and yearly rules
        if freq == "monthly" and abs(nth) > 5:
            raise refuse("BYDAY")
        nth_weekdays.add((nth, day))
    if weekdays and nth_weekdays:
        # RFC 5545 reads BYDAY=MO,-1MO as a union (every Monday), dateutil and the calendar
        # libraries built on it as an intersection: a series read two ways is refused.
        raise refuse("BYDAY")
    monthdays = numbers("BYMONTHDAY", 1, 31)
    yeardays = numbers("BYYEARDAY", 1, 366)
    if monthdays and freq == "weekly":
        raise refuse("BYMONTHDAY")  # RFC 5545: not in weekly rules
    if yeardays and freq != "yearly":
        raise refuse("BYYEARDAY")  # RFC 5545: only in yearly rules
    setpos = numbers("BYSETPOS", 1, 366)
    wkst = parts.get("WKST", "MO")
    if wkst not in _RRULE_DAYS:
        raise refuse("WKST")
    rule = Recurrence(
        freq,
        interval=1 if "INTERVAL" not in parts else one("INTERVAL", 9999) or 0,
        weekdays=tuple(sorted(weekdays)),
        nth_weekdays=tuple(sorted(nth_weekdays)),
        monthdays=monthdays,
        months=numbers("BYMONTH", 1, 12, negative=False),
        yeardays=yeardays,
        setpos=setpos,
        wkst=_RRULE_DAYS.index(wkst),
        count=one("COUNT", 9999),
        until=_moment(parts["UNTIL"], "UNTIL") if "UNTIL" in parts else None,
    )
    if setpos and not (weekdays or nth_weekdays or monthdays or yeardays or rule.months):
        raise refuse("BYSETPOS")  # RFC 5545: only with another BY part
    return _canonical(rule)


def _canonical(rule: Recurrence) -> Recurrence:
    """``BYDAY=TU;BYSETPOS=2`` in a monthly rule is the second Tuesday: written as BYDAY=2TU."""
    if (
        rule.freq == "monthly"
        and len(rule.weekdays) == 1
        and len(rule.setpos) == 1
        and abs(rule.setpos[0]) <= 4
        and not (rule.nth_weekdays or rule.monthdays or rule.months)
    ):
        return replace(
            rule, weekdays=(), nth_weekdays=((rule.setpos[0], rule.weekdays[0]),), setpos=()
        )
    return rule


def _moment(value: str, part: str) -> Until:
    """An RFC 5545 DATE or DATE-TIME value (``20270630``, ``20270630T100000``, ``...Z``)."""
    match = _MOMENT.fullmatch(value.upper())
    try:
        if match is None:
            raise ValueError(value)
        digits, clock = match["d"], match["t"]
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if day.year < EARLIEST_YEAR or day.year > 9000:
            raise ValueError(value)
        if clock is None:
            return day
        moment = datetime.combine(day, time(int(clock[:2]), int(clock[2:4]), int(clock[4:])))
    except ValueError:
        raise UserFacingError(UNSUPPORTED_RRULE, part=f"{part}={value}"[:40]) from None
    return moment.replace(tzinfo=UTC) if match["z"] else moment


def _exdates(params: str, value: str) -> list[Until]:
    """EXDATE values; with ``;TZID=Zone`` they are instants in that zone, else as written."""
    settings = dict(p.split("=", 1) for p in params.split(";") if p)
    settings = {k.upper(): v for k, v in settings.items()}
    zone: ZoneInfo | None = None
    if "TZID" in settings:
        try:
            zone = ZoneInfo(settings.pop("TZID").strip('"'))
        except (ZoneInfoNotFoundError, ValueError):
            raise UserFacingError(UNSUPPORTED_RRULE, part=f"EXDATE{params}"[:40]) from None
    if settings.pop("VALUE", "DATE-TIME").upper() not in ("DATE", "DATE-TIME") or settings:
        raise UserFacingError(UNSUPPORTED_RRULE, part=f"EXDATE{params}"[:40])
    found: list[Until] = []
    for piece in value.split(","):
        moment = _moment(piece, "EXDATE")
        if zone is not None and isinstance(moment, datetime) and moment.tzinfo is None:
            moment = localise(moment, zone)[0].astimezone(UTC)
        found.append(moment)
    return found
