"""Support requests' rules in plain Python: the status machine, who may do what, the
business-hours clock and when to nudge.

Nothing here imports discord: the cog turns :class:`~bot.errors.UserFacingError` into an
ephemeral answer in the member's language, and the tests check the rules directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import UserFacingError
from bot.i18n import _

TOPIC_MAX = 100
NEED_MAX = 4000
FIELD_MAX = 100
OUTCOME_MAX = 1000

if TYPE_CHECKING:
    import holidays


class Status(StrEnum):
    """Where a request stands. ``reopened`` is open again and keeps its claimer, if any."""

    NEW = "new"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    REOPENED = "reopened"


OPEN_STATUSES = frozenset({Status.NEW, Status.CLAIMED, Status.REOPENED})


class Action(StrEnum):
    """What someone does to a request; each one is a row of the request's history."""

    OPEN = "open"
    CLAIM = "claim"
    HAND_OVER = "hand_over"
    RESOLVE = "resolve"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Request:
    """The parts of a stored request the rules look at."""

    id: int
    requester_id: int
    status: Status
    created_at: datetime
    claimed_by: int | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    # Since when the requester has been waiting for the secretariat: set when the request
    # opens, is claimed or reopened, or the requester writes; cleared when staff write.
    awaiting_staff_since: datetime | None = None
    version: int = 0

    @property
    def is_open(self) -> bool:
        """New, claimed or reopened: the secretariat still owes an answer."""
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Actor:
    """Who acts: a member, and whether they hold the secretariat role."""

    id: int
    secretariat: bool


# ---------------------------------------------------------------------------- asking


@dataclass(frozen=True)
class Draft:
    """What the request form collected, trimmed and checked."""

    topic: str
    need: str
    region: str
    group: str | None
    language: str


def check_draft(
    topic: str, need: str, region: str, group: str | None, language: str, languages: tuple[str, ...]
) -> Draft:
    """Trim the form's fields and refuse empty or over-long ones (the form's own limits can be
    bypassed by a client, so they are checked again here)."""
    topic, need, region = topic.strip(), need.strip(), region.strip()
    group = (group or "").strip() or None
    if not topic:
        raise UserFacingError(_("Please give your request a topic."))
    if not need:
        raise UserFacingError(_("Please describe what you need."))
    if not region:
        raise UserFacingError(_("Please say which region the request is for."))
    if len(topic) > TOPIC_MAX:
        raise UserFacingError(_("The topic can be at most {limit} characters."), limit=TOPIC_MAX)
    if len(need) > NEED_MAX:
        raise UserFacingError(
            _("The description can be at most {limit} characters."), limit=NEED_MAX
        )
    if len(region) > FIELD_MAX or (group is not None and len(group) > FIELD_MAX):
        raise UserFacingError(
            _("Region and group can be at most {limit} characters each."), limit=FIELD_MAX
        )
    if language not in languages:
        raise UserFacingError(
            _("Choose one of these languages: {languages}."), languages=", ".join(languages)
        )
    return Draft(topic, need, region, group, language)


def check_may_request(
    *, excluded: bool, open_count: int, max_open: int, is_secretariat: bool = False
) -> None:
    """Refuse a member the settings exclude, or one with too many open requests."""
    if excluded and not is_secretariat:
        raise UserFacingError(
            _("Support requests are not open to you. Please contact the secretariat directly.")
        )
    if open_count >= max_open:
        raise UserFacingError(
            _(
                "You already have {count} open requests, the most allowed at once. "
                "Add to one of them in its thread, or wait until one is resolved."
            ),
            count=open_count,
        )


def check_outcome(outcome: str) -> str:
    """The short outcome asked for at resolve."""
    outcome = outcome.strip()
    if not outcome:
        raise UserFacingError(_("Please write a short outcome."))
    if len(outcome) > OUTCOME_MAX:
        raise UserFacingError(
            _("The outcome can be at most {limit} characters."), limit=OUTCOME_MAX
        )
    return outcome


# ---------------------------------------------------------------------------- handling


def _staff_only(actor: Actor) -> None:
    if not actor.secretariat:
        raise UserFacingError(_("Only the secretariat can do that."))


def claim(request: Request, actor: Actor, now: datetime) -> Request:
    """The secretariat takes a new or reopened request; someone else's claim is refused, so
    two staff pressing Claim at once learn which of them has it."""
    _staff_only(actor)
    if request.status == Status.RESOLVED:
        raise UserFacingError(_("Request #{id} is resolved; reopen it first."), id=request.id)
    if request.claimed_by == actor.id and request.status == Status.CLAIMED:
        raise UserFacingError(_("You have already claimed request #{id}."), id=request.id)
    if request.claimed_by is not None and request.status == Status.CLAIMED:
        raise AlreadyClaimedError(request.id, request.claimed_by)
    return replace(
        request,
        status=Status.CLAIMED,
        claimed_by=actor.id,
        claimed_at=now,
        awaiting_staff_since=request.awaiting_staff_since or now,
    )


class AlreadyClaimedError(UserFacingError):
    """Someone else holds the request; the cog names them (a mention renders for everyone)."""

    def __init__(self, request_id: int, holder_id: int) -> None:
        super().__init__(
            _("Request #{id} is already claimed by {holder}."),
            id=request_id,
            holder=f"<@{holder_id}>",
        )
        self.holder_id = holder_id


def hand_over(request: Request, actor: Actor, to: Actor, now: datetime) -> Request:
    """The secretariat passes an open request to another secretariat member."""
    _staff_only(actor)
    if not request.is_open:
        raise UserFacingError(_("Request #{id} is resolved; reopen it first."), id=request.id)
    if not to.secretariat:
        raise UserFacingError(_("Requests can only be handed to the secretariat."))
    if request.claimed_by == to.id:
        raise UserFacingError(_("They already hold request #{id}."), id=request.id)
    return replace(request, status=Status.CLAIMED, claimed_by=to.id, claimed_at=now)


def resolve(request: Request, actor: Actor, now: datetime) -> Request:
    """The secretariat closes an open request; an unclaimed one counts as claimed by them now."""
    _staff_only(actor)
    if request.status == Status.RESOLVED:
        raise UserFacingError(_("Request #{id} is already resolved."), id=request.id)
    return replace(
        request,
        status=Status.RESOLVED,
        claimed_by=request.claimed_by or actor.id,
        claimed_at=request.claimed_at or now,
        resolved_at=now,
        awaiting_staff_since=None,
    )


def reopen(request: Request, actor: Actor, now: datetime, window: timedelta) -> Request:
    """The requester within ``window`` of the resolve, or the secretariat at any time."""
    if request.status != Status.RESOLVED:
        raise UserFacingError(_("Request #{id} is still open."), id=request.id)
    if not actor.secretariat:
        if actor.id != request.requester_id:
            raise UserFacingError(_("Only the requester or the secretariat can reopen this."))
        assert request.resolved_at is not None
        if now - request.resolved_at > window:
            raise UserFacingError(
                _(
                    "Request #{id} was resolved more than {days} days ago; "
                    "please open a new request."
                ),
                id=request.id,
                days=window.days,
            )
    return replace(request, status=Status.REOPENED, resolved_at=None, awaiting_staff_since=now)


def may_read(request: Request, actor: Actor) -> bool:
    """The requester and the secretariat see a request's details."""
    return actor.secretariat or actor.id == request.requester_id


def note_message(request: Request, author: Actor, at: datetime) -> Request:
    """A message in the request's thread: staff answering stop the waiting clock, the
    requester writing after an answer starts it again."""
    if not request.is_open or request.claimed_by is None:
        return request  # an unclaimed request waits for a claim, whoever writes
    if author.secretariat and author.id != request.requester_id:
        return replace(request, awaiting_staff_since=None)
    if author.id == request.requester_id and request.awaiting_staff_since is None:
        return replace(request, awaiting_staff_since=at)
    return request


# ---------------------------------------------------------------------------- business hours


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours in the community's zone on weekdays that are not public holidays.

    Holidays come from the maintained ``holidays`` package for ``country`` (and optional
    ``subdivision``), so moving feasts and new public holidays need no code change. Each day's
    window is built in local time and converted to UTC, so a DST change shortens or lengthens
    nothing but the clock face.
    """

    zone: ZoneInfo
    opens: time = time(9)
    closes: time = time(17)
    country: str | None = None
    subdivision: str | None = None
    workdays: frozenset[int] = frozenset(range(5))

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("business hours must open before they close")
        if not self.workdays:
            raise ValueError("at least one working day is needed")

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | None:
        if not self.country:
            return None
        import holidays  # about 0.1 s to import: paid on first use, not at every start

        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday on ``day``, if any."""
        table = self._holidays
        if table is None:
            return None
        name = table.get(day)
        return str(name) if name else None

    def is_business_day(self, day: date) -> bool:
        """A working weekday that is not a public holiday."""
        return day.weekday() in self.workdays and self.holiday_name(day) is None

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's business hours in UTC, or None on a weekend or holiday."""
        if not self.is_business_day(day):
            return None
        start = datetime.combine(day, self.opens, self.zone).astimezone(UTC)
        end = datetime.combine(day, self.closes, self.zone).astimezone(UTC)
        return start, end

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end`` (zero if ``end`` is not later)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            window = self.window(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of business time after ``start`` has passed.

        Zero means the next moment business is open (``start`` itself during hours). Bounded:
        a calendar with hours on some weekday finds one within a few weeks even across
        holiday seasons; ten years without one is a configuration error.
        """
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        left = amount
        day = start.astimezone(self.zone).date()
        for _day in range(3660):
            window = self.window(day)
            if window is not None and max(window[0], start) < window[1]:
                lo = max(window[0], start)
                if lo + left <= window[1]:
                    return lo + left
                left -= window[1] - lo
            day += timedelta(days=1)
        raise ValueError("no business hours within ten years; check the calendar settings")


# ---------------------------------------------------------------------------- nudges


class NudgeTarget(StrEnum):
    """Who a nudge goes to."""

    TRIAGE = "triage"  # an unclaimed request: the triage channel
    CLAIMER = "claimer"  # a claimed request waiting on its claimer
    SECRETARIAT = "secretariat"  # still waiting after the claimer was nudged


@dataclass(frozen=True)
class NudgePolicy:
    """When to nudge, in business time."""

    unclaimed_after: timedelta = timedelta(hours=4)
    claimed_after: timedelta = timedelta(hours=16)
    every: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class Nudge:
    """One planned nudge: the ``step``-th of the request's current wait."""

    step: int
    target: NudgeTarget
    due_at: datetime


def nudge_at(
    request: Request, step: int, calendar: BusinessCalendar, policy: NudgePolicy
) -> Nudge | None:
    """The ``step``-th nudge of the request's current wait, or None if none is owed.

    An unclaimed request nudges the triage channel after ``unclaimed_after`` and then once per
    ``every``; a claimed one waiting on the secretariat nudges its claimer after
    ``claimed_after``, then the whole secretariat once per ``every``. All counted in business
    time from the start of the wait, so a plan rebuilt after a restart lands on the same times.
    """
    if not request.is_open or step < 0:
        return None
    if request.claimed_by is None:
        base = request.awaiting_staff_since or request.created_at
        due = calendar.add(base, policy.unclaimed_after + policy.every * step)
        return Nudge(step, NudgeTarget.TRIAGE, due)
    if request.awaiting_staff_since is None:
        return None
    target = NudgeTarget.CLAIMER if step == 0 else NudgeTarget.SECRETARIAT
    due = calendar.add(request.awaiting_staff_since, policy.claimed_after + policy.every * step)
    return Nudge(step, target, due)


def next_nudge(
    request: Request, calendar: BusinessCalendar, policy: NudgePolicy, after: datetime
) -> Nudge | None:
    """The first nudge of the current wait that falls due after ``after`` (bounded search)."""
    for step in range(10_000):
        nudge = nudge_at(request, step, calendar, policy)
        if nudge is None or nudge.due_at > after:
            return nudge
    return None


def nudge_key(request: Request, step: int) -> str:
    """The scheduled action's key: one per request, state version and step, so a nudge that
    ran is never planned again, and a new wait (a new version) gets fresh keys."""
    return f"{nudge_prefix(request.id)}v{request.version}:{step}"


def nudge_prefix(request_id: int) -> str:
    """Every nudge of a request starts with this: cancel them all at a claim or resolve."""
    return f"support:{request_id}:nudge:"
