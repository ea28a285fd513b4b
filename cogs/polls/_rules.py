"""Poll rules in plain Python: what a poll may be, what a ballot may hold, who may vote.

Nothing here talks to Discord or the database: rules raise UserFacingError (an English catalog
string the error handler translates) and return values, so they are tested directly. The server
checks every ballot here again, whatever the ballot form allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import UserFacingError
from bot.i18n import _
from cogs.polls._count import Mode

MODES: tuple[Mode, ...] = ("single", "multiple", "ranked")
OPTIONS_MIN = 2
OPTIONS_MAX = 25  # a Discord select menu holds at most 25 options
OPTION_MAX = 100  # a select option's label
QUESTION_MAX = 300  # a Discord native poll's question
DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class PollSpec:
    """A poll as its organiser asked for it, already checked."""

    question: str
    options: tuple[str, ...]
    description: str
    mode: Mode
    min_choices: int
    max_choices: int
    winners: int
    secret: bool
    live_results: bool
    closes_at: datetime | None
    quorum_percent: int | None


def parse_options(text: str) -> tuple[str, ...]:
    """Options one per line, blank lines and surrounding spaces dropped; checked for the rules."""
    options = tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if len(options) < OPTIONS_MIN:
        raise UserFacingError(
            _("A poll needs at least {minimum} options, one per line."), minimum=OPTIONS_MIN
        )
    if len(options) > OPTIONS_MAX:
        raise UserFacingError(
            _("A poll can have at most {maximum} options; this one has {count}."),
            maximum=OPTIONS_MAX,
            count=len(options),
        )
    seen: dict[str, str] = {}
    for option in options:
        if len(option) > OPTION_MAX:
            raise UserFacingError(
                _("The option “{option}…” is {length} characters long; keep it within {limit}."),
                option=option[:40],
                length=len(option),
                limit=OPTION_MAX,
            )
        key = option.casefold()
        if key in seen:
            raise UserFacingError(
                _("“{option}” is listed twice (“{first}”): each option once."),
                option=option,
                first=seen[key],
            )
        seen[key] = option
    return options


def check_spec(
    *,
    question: str,
    options_text: str,
    description: str,
    mode: Mode,
    minimum: int | None,
    maximum: int | None,
    winners: int,
    secret: bool,
    live_results: bool,
    closes_at: datetime | None,
    quorum_percent: int | None,
    now: datetime,
) -> PollSpec:
    """A complete poll, or the first thing wrong with it."""
    question = " ".join(question.split())
    if not question:
        raise UserFacingError(_("The question is empty: ask something."))
    if len(question) > QUESTION_MAX:
        raise UserFacingError(
            _("The question is {length} characters long; keep it within {limit}."),
            length=len(question),
            limit=QUESTION_MAX,
        )
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise UserFacingError(
            _("The description is {length} characters long; keep it within {limit}."),
            length=len(description),
            limit=DESCRIPTION_MAX,
        )
    options = parse_options(options_text)
    low, high = choice_bounds(mode, len(options), minimum, maximum)
    if not 1 <= winners <= len(options):
        raise UserFacingError(
            _("{winners} winners from {count} options is not possible: choose 1 to {count}."),
            winners=winners,
            count=len(options),
        )
    if mode == "single" and winners > 1:
        raise UserFacingError(
            _("A single-choice poll has one winner; for more, let members choose several.")
        )
    check_close_and_quorum(closes_at, quorum_percent, now)
    return PollSpec(
        question=question,
        options=options,
        description=description,
        mode=mode,
        min_choices=low,
        max_choices=high,
        winners=winners,
        secret=secret,
        live_results=live_results,
        closes_at=closes_at,
        quorum_percent=quorum_percent or None,
    )


def check_close_and_quorum(
    closes_at: datetime | None, quorum_percent: int | None, now: datetime
) -> None:
    """The settings a poll's form does not change, checked before the form opens too."""
    if closes_at is not None and closes_at <= now:
        raise UserFacingError(
            _("The close time <t:{when}:F> is in the past: pick a time ahead."),
            when=int(closes_at.timestamp()),
        )
    if quorum_percent is not None and not 0 <= quorum_percent <= 100:
        raise UserFacingError(
            _("A quorum is a share of the electorate from 0 to 100 %, not {quorum} %."),
            quorum=quorum_percent,
        )


def check_reminder(
    closes_at: datetime | None, remind_minutes: int | None, remind: str, now: datetime
) -> None:
    """A reminder counts back from the close, so it needs one, and must fall after the poll
    opens (else it could never be sent)."""
    if not remind_minutes:
        return
    if closes_at is None:
        raise UserFacingError(_("A reminder needs a close time to count back from."))
    if closes_at - timedelta(minutes=remind_minutes) <= now:
        raise UserFacingError(
            _(
                "A reminder {remind} before the close would come before the poll opens (it "
                "closes <t:{when}:R>): pick a shorter one, or leave remind out."
            ),
            remind=remind,
            when=int(closes_at.timestamp()),
        )


def choice_bounds(
    mode: Mode, options: int, minimum: int | None, maximum: int | None
) -> tuple[int, int]:
    """How many options a ballot holds: single is 1..1; multiple and ranked default to 1..n."""
    if mode == "single":
        if (minimum or 1) != 1 or (maximum or 1) != 1:
            raise UserFacingError(
                _("A single-choice poll takes one option; choose “multiple” to allow more.")
            )
        return 1, 1
    low = 1 if minimum is None else minimum
    high = options if maximum is None else maximum
    if low < 1:
        raise UserFacingError(_("The minimum must be at least 1."))
    if low > high:
        raise UserFacingError(
            _("The minimum {minimum} is above the maximum {maximum}."), minimum=low, maximum=high
        )
    if high > options:
        raise UserFacingError(
            _("The maximum {maximum} is more than the {count} options."),
            maximum=high,
            count=options,
        )
    return low, high


QUICK_ANSWERS_MAX = 10  # Discord's native poll
QUICK_ANSWER_MAX = 55
QUICK_HOURS_MAX = 32 * 24


def check_quick(question: str, answers_text: str, hours: int) -> tuple[str, tuple[str, ...]]:
    """A question for Discord's own poll: answers separated by ``;`` (or lines), 2 to 10 of at
    most 55 characters, open 1 to 768 hours. Beyond that, /poll create does more."""
    question = " ".join(question.split())
    if not question:
        raise UserFacingError(_("The question is empty: ask something."))
    if len(question) > QUESTION_MAX:
        raise UserFacingError(
            _("The question is {length} characters long; keep it within {limit}."),
            length=len(question),
            limit=QUESTION_MAX,
        )
    answers = tuple(
        " ".join(a.split()) for a in answers_text.replace("\n", ";").split(";") if a.strip()
    )
    if not 2 <= len(answers) <= QUICK_ANSWERS_MAX:
        raise UserFacingError(
            _(
                "A quick poll takes 2 to {maximum} answers separated by “;”; this has {count}. "
                "For more, use /poll create."
            ),
            maximum=QUICK_ANSWERS_MAX,
            count=len(answers),
        )
    for answer in answers:
        if len(answer) > QUICK_ANSWER_MAX:
            raise UserFacingError(
                _("The answer “{answer}…” is {length} characters long; keep it within {limit}."),
                answer=answer[:30],
                length=len(answer),
                limit=QUICK_ANSWER_MAX,
            )
    if len({a.casefold() for a in answers}) != len(answers):
        raise UserFacingError(_("An answer is listed twice: each answer once."))
    if not 1 <= hours <= QUICK_HOURS_MAX:
        raise UserFacingError(
            _("A quick poll stays open 1 to {maximum} hours, not {hours}."),
            maximum=QUICK_HOURS_MAX,
            hours=hours,
        )
    return question, answers


EMPTY_ELECTORATES = {
    "channel": _(
        "Nobody could vote in this poll: no member can see {channel}. Pick another channel or "
        "electorate."
    ),
    "role": _("Nobody could vote in this poll: no member has the role {role}."),
    "group": _(
        "Nobody could vote in this poll: {group} has no members yet (its leads add them with "
        "/group member add)."
    ),
    "region": _(
        "Nobody could vote in this poll: none of {group}'s members has a region in their profile. "
        "One vote per region counts the regions members set with /profile set region:; a region "
        "added with /group region add votes once a member from it is in the group."
    ),
}


def empty_electorate(kind: str, **names: object) -> UserFacingError:
    """Why nobody could vote, and what would change that, for each kind of electorate."""
    return UserFacingError(EMPTY_ELECTORATES[kind], **names)


def check_electorate(size: int) -> int:
    """An electorate must hold somebody; it is fixed when the poll opens."""
    if size < 1:
        raise UserFacingError(
            _("Nobody could vote in this poll: the electorate you chose is empty.")
        )
    return size


@dataclass(frozen=True)
class BallotRules:
    """What the server checks a ballot against (a stored poll's rules)."""

    mode: Mode
    options: int
    min_choices: int
    max_choices: int
    open: bool


def check_ballot(rules: BallotRules, choices: Sequence[int]) -> tuple[int, ...]:
    """The ballot as stored (sorted for choice polls, in order for ranked), or why it is refused.

    Called for every vote whatever the form allowed: a crafted interaction gets the same answer.
    """
    if not rules.open:
        raise UserFacingError(_("This poll has closed: votes are no longer taken."))
    ballot = tuple(choices)
    if any(not 0 <= c < rules.options for c in ballot):
        raise UserFacingError(_("That option is not in this poll."))
    if len(set(ballot)) != len(ballot):
        raise UserFacingError(_("Each option can be chosen only once."))
    if not rules.min_choices <= len(ballot) <= rules.max_choices:
        raise UserFacingError(rule_key(rules), **rule_params(rules))
    return ballot if rules.mode == "ranked" else tuple(sorted(ballot))


def rule_key(rules: BallotRules) -> str:
    """The one-line rule (an English catalog string) that the poll message and refusals show."""
    if rules.mode == "single":
        return _("Choose one option.")
    if rules.mode == "ranked":
        if rules.min_choices == rules.max_choices:
            return _("Rank {minimum} options in order of preference.")
        if rules.min_choices == 1:
            return _("Rank up to {maximum} options in order of preference.")
        return _("Rank {minimum} to {maximum} options in order of preference.")
    if rules.min_choices == rules.max_choices:
        return _("Choose exactly {minimum} options.")
    return _("Choose {minimum} to {maximum} options.")


def rule_params(rules: BallotRules) -> dict[str, object]:
    return {"minimum": rules.min_choices, "maximum": rules.max_choices}
