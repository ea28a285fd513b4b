"""Event rules in plain Python: validation, occurrences, RSVP and waitlist, reminder plans.

Nothing here talks to Discord or the database: rules raise UserFacingError and return values,
so they are tested directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.errors import UserFacingError
from bot.i18n import _
from bot.timeparse import format_offset, parse_date, parse_when
from cogs.events._recurrence import parse_repeat

Format = Literal["online", "live", "hybrid"]
FORMATS: tuple[Format, ...] = ("online", "live", "hybrid")

TITLE_MAX = 100  # a Discord scheduled event's name
VENUE_MAX = 100  # a Discord scheduled event's location
LINK_MAX = 512
DESCRIPTION_MAX = 1000  # a Discord scheduled event's description
DURATION_MAX = timedelta(days=14)
LISTING_HORIZON = timedelta(days=2 * 365)

# Who hears that an event (or a date of it) is cancelled: those who answered it, but not
# those who can't go.
CANCEL_TOLD = ("going", "maybe", "waitlist")

# The refusal of a cancel decided on an event that changed after the question.
# An edit decided on (or asked about) an event that changed meanwhile.
EDIT_OVERTAKEN = _("Event #{id} changed meanwhile: run /event edit again.")
CHANGED_SINCE_ASKED = _(
    "Event #{id} changed since you were asked, so nothing was cancelled: run /event cancel "
    "again to see it as it is now."
)


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise UserFacingError(_("The title is empty: give the event a name."))
    if len(title) > TITLE_MAX:
        raise UserFacingError(
            _("The title is {length} characters long; keep it within {limit}."),
            length=len(title),
            limit=TITLE_MAX,
        )
    return title


def check_description(text: str) -> str:
    text = text.strip()
    if len(text) > DESCRIPTION_MAX:
        raise UserFacingError(
            _("The description is {length} characters long; keep it within {limit}."),
            length=len(text),
            limit=DESCRIPTION_MAX,
        )
    return text


def check_link(link: str) -> str:
    link = link.strip()
    if len(link) > LINK_MAX:
        raise UserFacingError(
            _("The link is too long; keep it within {limit} characters."), limit=LINK_MAX
        )
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018 - reading it checks the port (https://x:99999 raises)
    except ValueError:  # e.g. https://[abc: a broken IPv6 host
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not all(c.isprintable() and not c.isspace() for c in link)
    ):
        raise UserFacingError(
            _("“{link}” is not a web link: it must start with https:// (or http://)."), link=link
        )
    return link


def check_venue(venue: str) -> str:
    venue = " ".join(venue.split())
    if len(venue) > VENUE_MAX:
        raise UserFacingError(
            _("The venue is {length} characters long; keep it within {limit}."),
            length=len(venue),
            limit=VENUE_MAX,
        )
    return venue


def check_place(format: str, link: str | None, venue: str | None) -> None:
    """Online needs a link, live a venue, hybrid both."""
    if format in ("online", "hybrid") and not link:
        raise UserFacingError(_("An online or hybrid event needs a link (link: https://...)."))
    if format in ("live", "hybrid") and not venue:
        raise UserFacingError(
            _("A live or hybrid event needs a venue (venue: a place or address).")
        )


def check_capacity(capacity: int | None) -> int | None:
    if capacity is not None and capacity < 1:
        raise UserFacingError(_("Capacity must be at least 1, or left empty for no limit."))
    return capacity


def check_times(start: datetime, end: datetime, now: datetime) -> timedelta:
    """The duration; refuses a start in the past and an end at or before the start."""
    if start <= now:
        raise UserFacingError(
            _("The start <t:{start}:F> is in the past: pick a time ahead."),
            start=int(start.timestamp()),
        )
    return check_duration(end - start)


def check_agree(start: datetime, end: datetime, length: timedelta) -> None:
    """``end:`` and ``duration:`` together must say the same."""
    if end - start != length:
        raise UserFacingError(
            _(
                "The end <t:{end}:F> and the duration {duration} disagree: give one of them, "
                "or make them agree."
            ),
            end=int(end.timestamp()),
            duration=format_offset(length),
        )


def check_duration(length: timedelta) -> timedelta:
    """A duration an event can have: more than nothing, at most 14 days."""
    if length <= timedelta(0):
        raise UserFacingError(_("The end must come after the start."))
    if length > DURATION_MAX:
        raise UserFacingError(_("An event can last at most 14 days; use a series for more."))
    return length


# -- occurrences ---------------------------------------------------------------------------------


def end_of(start: datetime, length: timedelta) -> datetime:
    """When something starting at ``start`` and lasting ``length`` ends, in UTC.

    A length is elapsed time: 1 h starting in the hour the clocks repeat lasts 1 h, not 2.
    (Python adds a timedelta to a zoned datetime on the wall clock, hence the UTC first.)
    """
    return start.astimezone(UTC) + length


def occurrence_key(original_start: datetime) -> str:
    """An occurrence's name: its original start as a Unix timestamp (stays when it is moved).

    Starts are whole minutes (the database refuses others), so keys are multiples of 60.
    """
    return str(int(original_start.timestamp()))


_KEY = re.compile(r"-?\d{1,12}")


def key_minute(key: str) -> datetime | None:
    """The original start a key names, cut to its minute, or None for what is not a key.

    Cutting lets a button drawn before times were kept to the minute (its key has seconds)
    still find its occurrence.
    """
    if not _KEY.fullmatch(key):
        return None
    seconds = int(key)
    try:
        return datetime.fromtimestamp(seconds - seconds % 60, UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class Override:
    """A change to one occurrence of a series."""

    start: datetime | None = None
    duration: timedelta | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Occurrence:
    key: str
    original_start: datetime
    start: datetime
    end: datetime
    cancelled: bool

    @property
    def moved(self) -> bool:
        return self.start != self.original_start


PAST_LIMIT = 2000  # how many of a series' dates are looked through for the latest one past


@dataclass(frozen=True)
class Schedule:
    """When an event happens: its first start in its zone, duration, and repeat rule."""

    start_local: datetime
    duration: timedelta
    rrule: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        assert isinstance(self.start_local.tzinfo, ZoneInfo)
        return self.start_local.tzinfo

    def original_starts(self, *, after: datetime | None = None, limit: int = 500) -> list[datetime]:
        """Original starts (aware, in the event's zone) of every occurrence, bounded."""
        if self.rrule is None:
            return [self.start_local] if after is None or self.start_local > after else []
        return list(_expand(self.start_local, self.rrule, after, limit))

    def occurrences(
        self,
        overrides: Mapping[str, Override] | None = None,
        *,
        after: datetime | None = None,
        limit: int = 500,
    ) -> list[Occurrence]:
        """Occurrences with their per-occurrence changes applied, ordered by start.

        ``after`` filters on the occurrence's end, so one under way is still listed.
        """
        overrides = overrides or {}
        # Look back by the longest duration so moved or long occurrences are not skipped.
        look_after = after - DURATION_MAX - timedelta(days=1) if after else None
        found = []
        for original in self.original_starts(after=look_after, limit=limit + 64):
            key = occurrence_key(original)
            change = overrides.get(key, Override())
            start = change.start or original
            duration = change.duration or self.duration
            occurrence = Occurrence(
                key=key,
                original_start=original.astimezone(UTC),
                start=start.astimezone(UTC),
                end=end_of(start, duration),
                cancelled=change.cancelled,
            )
            if after is None or occurrence.end > after:
                found.append(occurrence)
        found.sort(key=lambda o: o.start)
        return found[:limit]

    def next_occurrence(
        self, overrides: Mapping[str, Override] | None, now: datetime
    ) -> Occurrence | None:
        """The first occurrence that has not ended and is not cancelled."""
        for occurrence in self.occurrences(overrides, after=now, limit=50):
            if not occurrence.cancelled:
                return occurrence
        return None

    def next_start(
        self, overrides: Mapping[str, Override] | None, now: datetime
    ) -> Occurrence | None:
        """The first occurrence not yet started and not cancelled: what to plan and show."""
        for occurrence in self.occurrences(overrides, after=now, limit=50):
            if not occurrence.cancelled and occurrence.start > now:
                return occurrence
        return None

    def shown(self, overrides: Mapping[str, Override] | None, now: datetime) -> Occurrence | None:
        """What the announcement shows: the next start, else the one still under way."""
        return self.next_start(overrides, now) or self.next_occurrence(overrides, now)

    def last_begun(
        self, overrides: Mapping[str, Override] | None, now: datetime
    ) -> Occurrence | None:
        """The latest occurrence that has started by ``now`` and was not cancelled: what an
        event that is over shows (its organiser still needs who came). Bounded: a series of
        more than ``PAST_LIMIT`` dates gives its latest within them."""
        begun = [
            o
            for o in self.occurrences(overrides, limit=PAST_LIMIT)
            if o.start <= now and not o.cancelled
        ]
        return begun[-1] if begun else None

    def find(self, overrides: Mapping[str, Override] | None, key: str) -> Occurrence | None:
        """The occurrence named ``key`` (or, for an old key with seconds, its minute), if the
        series has one."""
        original = key_minute(key)
        if original is None:
            return None
        wanted = occurrence_key(original)
        for occurrence in self.occurrences(
            overrides, after=original - timedelta(seconds=1), limit=64
        ):
            if occurrence.key == wanted:
                return occurrence
        return None


def still_open(occurrence: Occurrence | None, now: datetime) -> bool:
    """Whether answers to ``occurrence`` still count: it is not over, nor cancelled."""
    return occurrence is not None and occurrence.end > now and not occurrence.cancelled


def find_as_typed(
    schedule: Schedule, overrides: Mapping[str, Override] | None, text: str, now: datetime
) -> Occurrence | None:
    """The occurrence a member named: by the autocomplete's key, or as typed, a date
    (``15.12.2026``, ``2026-12-15``) or a date and time (``2026-12-15 10:00``) in the event's
    zone, matching its start or its original start (a moved one is found by either)."""
    found = schedule.find(overrides, text)
    if found is not None:
        return found
    zone = schedule.zone
    day: date | None = None
    moment: datetime | None = None
    try:
        day = parse_date(text, today=now.astimezone(zone).date())
    except UserFacingError:
        try:
            moment = parse_when(text, tz=zone, now=now).utc
        except UserFacingError:
            return None
    around = datetime.combine(day, time(), zone) if day else moment
    assert around is not None
    look_after = around - DURATION_MAX - timedelta(days=2)
    for occurrence in schedule.occurrences(overrides, after=look_after, limit=64):
        for start in (occurrence.start, occurrence.original_start):
            if start == moment or (day is not None and start.astimezone(zone).date() == day):
                return occurrence
    return None


def renamed_occurrences(old: Schedule, new: Schedule, keys: Iterable[str]) -> dict[str, str | None]:
    """When a series' times change, its occurrences keep their identity by their local date:
    for each old key, the key of the new occurrence on the same day, or None when the new
    schedule has none that day (its answers and changes then go). Unchanged keys are left out.
    """
    keys = sorted(keys, key=int)
    if not keys or (old.start_local, old.rrule) == (new.start_local, new.rrule):
        return {}
    old_zone, new_zone = old.zone, new.zone
    first = datetime.fromtimestamp(int(keys[0]), UTC) - timedelta(days=2)
    new_by_day = {
        start.date(): occurrence_key(start)
        for start in new.original_starts(after=first.astimezone(new_zone), limit=2000)
    }
    renames: dict[str, str | None] = {}
    for key in keys:
        day = datetime.fromtimestamp(int(key), old_zone).date()
        renamed = new_by_day.get(day)
        if renamed != key:
            renames[key] = renamed
    return renames


@lru_cache(maxsize=256)
def _expand(
    start_local: datetime, rrule: str, after: datetime | None, limit: int
) -> tuple[datetime, ...]:
    """A series' starts, remembered: a burst of clicks on one occurrence expands it once."""
    return tuple(parse_repeat(rrule).occurrences(start_local, after=after, limit=limit))


# -- RSVPs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpDecision:
    """What to store for the member, and who (if anyone) moves up from the waitlist."""

    stored: str  # going, maybe, declined or waitlist
    promote: tuple[int, ...] = ()


def decide_rsvp(
    *,
    previous: str | None,
    wanted: str,
    capacity: int | None,
    going_count: int,
    waitlist: Iterable[int],
) -> RsvpDecision:
    """One member's answer for one occurrence; ``going_count`` includes the member if going."""
    if wanted == "going":
        if previous in ("going", "waitlist"):
            return RsvpDecision(previous)
        if capacity is not None and going_count >= capacity:
            return RsvpDecision("waitlist")
        return RsvpDecision("going")
    if previous == "going":
        seats = free_seats(capacity, going_count - 1)
        return RsvpDecision(wanted, tuple(list(waitlist)[:seats]))
    return RsvpDecision(wanted)


# What an edit that lowers the capacity below those going does with them.
KEEP = "keep"  # everyone keeps their place; the announcement shows the event as full
WAITLIST = "waitlist"  # the latest answers beyond the capacity move to the waitlist


def over_capacity(capacity: int | None, going: Sequence[int]) -> list[int]:
    """Who goes beyond ``capacity``, ``going`` in the order they answered: the latest answers,
    which move to the waitlist when an organiser lowers the capacity and says so."""
    if capacity is None:
        return []
    return list(going[capacity:])


def free_seats(capacity: int | None, going_count: int) -> int:
    """How many members the waitlist may send up (unbounded capacity: everyone)."""
    if capacity is None:
        return 1_000_000
    return max(capacity - going_count, 0)


# -- reminders ---------------------------------------------------------------------------------


def reminder_plan(
    start: datetime, offsets: Iterable[timedelta], now: datetime
) -> list[tuple[timedelta, datetime]]:
    """(offset, due) for each reminder still ahead of ``now``."""
    plan = []
    for offset in offsets:
        due = start - offset
        if due > now:
            plan.append((offset, due))
    return plan


def offsets_to_text(offsets: Iterable[timedelta]) -> str:
    return ",".join(str(int(o.total_seconds())) for o in offsets)


def offsets_from_text(text: str) -> tuple[timedelta, ...]:
    return tuple(timedelta(seconds=int(s)) for s in text.split(",") if s)
