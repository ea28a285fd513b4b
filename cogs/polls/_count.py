"""Counting votes, in plain Python: choice polls by direct count, ranked polls by instant runoff.

Options are numbered 0..n-1. A choice ballot is the set of options chosen; a ranked ballot is the
options in order of preference, possibly truncated (a voter need not rank every option).

Ties are reported, never broken: when options tie for the last seat the result names them as
tied and leaves that seat open. Instant runoff eliminates, in each round, *every* option with the
fewest first preferences among the continuing ones (simultaneous elimination); when all continuing
options tie, they tie for the seat. A majority is more than half of the ballots still ranking a
continuing option (exhausted ballots no longer count). This is pref_voting's
``instant_runoff_for_truncated_linear_orders``; the tests compare the two. With more than one
winner, seats are filled one count at a time, each count without the options already elected.

Quorum: when fewer ballots than the quorum's share of the electorate were cast, no winner is
named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["single", "multiple", "ranked"]


@dataclass(frozen=True)
class Round:
    """One instant-runoff round: first preferences of the continuing options, and who goes out."""

    tallies: dict[int, int]
    exhausted: int
    eliminated: tuple[int, ...]


@dataclass(frozen=True)
class RunoffCount:
    """One instant-runoff count for one seat: its rounds and its winner, or the options tied."""

    rounds: tuple[Round, ...]
    winners: tuple[int, ...]
    majority: bool  # won by a majority of continuing ballots (not a tie of all continuing)


@dataclass(frozen=True)
class Quorum:
    """Turnout against the electorate and the share required (percent, None for no quorum)."""

    electorate: int
    turnout: int
    percent: int | None

    @property
    def required(self) -> int:
        """Ballots needed: the smallest whole number at least ``percent`` % of the electorate."""
        if not self.percent:
            return 0
        return -(-self.electorate * self.percent // 100)

    @property
    def met(self) -> bool:
        return self.turnout >= self.required


@dataclass(frozen=True)
class Result:
    """The outcome: tallies (choice polls) or runoff counts (ranked), the elected and the tied."""

    mode: Mode
    options: int
    seats: int
    ballots: int
    quorum: Quorum
    tallies: dict[int, int] = field(default_factory=dict)
    counts: tuple[RunoffCount, ...] = ()
    elected: tuple[int, ...] = ()
    tied: tuple[int, ...] = ()  # options tied for the seats still open (never broken)

    @property
    def seats_open(self) -> int:
        """Seats not filled because of a tie (or because too few options received votes)."""
        return self.seats - len(self.elected) if self.quorum.met and self.ballots else 0

    @property
    def tie_decided(self) -> bool:
        """Whether a tie decided something: options left tied for a seat, or (instant runoff)
        options eliminated together or all remaining options tied."""
        return bool(self.tied) or any(
            len(round_.eliminated) > 1 or (not count.majority and len(count.winners) > 1)
            for count in self.counts
            for round_ in count.rounds
        )


def count(
    mode: Mode,
    options: int,
    ballots: Iterable[Sequence[int]],
    *,
    seats: int = 1,
    electorate: int,
    quorum_percent: int | None = None,
) -> Result:
    """Count valid ballots (checked by the rules before they were stored)."""
    cast = [tuple(b) for b in ballots]
    quorum = Quorum(electorate=electorate, turnout=len(cast), percent=quorum_percent)
    if mode == "ranked":
        counts, elected, tied = _ranked(options, cast, seats)
        result = Result(
            mode, options, seats, len(cast), quorum, counts=counts, elected=elected, tied=tied
        )
    else:
        tallies = choice_tallies(options, cast)
        elected, tied = top(tallies, seats)
        result = Result(
            mode, options, seats, len(cast), quorum, tallies=tallies, elected=elected, tied=tied
        )
    if not quorum.met or not cast:
        # A poll that missed its quorum (or got no ballots) names no winner.
        return Result(
            mode, options, seats, len(cast), quorum, tallies=result.tallies, counts=result.counts
        )
    return result


def choice_tallies(options: int, ballots: Iterable[Sequence[int]]) -> dict[int, int]:
    """Votes per option: each ballot gives one vote to every option it chose."""
    tallies = dict.fromkeys(range(options), 0)
    for ballot in ballots:
        for option in ballot:
            tallies[option] += 1
    return tallies


def top(tallies: dict[int, int], seats: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ``seats`` options with most votes, and those tied for the last seats if any.

    Only options with at least one vote can win. If the options at the cut-off have equal votes
    and not all fit, the ones above the cut-off are elected and those at it are reported tied.
    """
    ranked = sorted((o for o, v in tallies.items() if v > 0), key=lambda o: (-tallies[o], o))
    if len(ranked) <= seats:
        return tuple(ranked), ()
    cut = tallies[ranked[seats - 1]]
    above = tuple(o for o in ranked if tallies[o] > cut)
    at_cut = tuple(o for o in ranked if tallies[o] == cut)
    if len(above) + len(at_cut) == seats:
        return above + at_cut, ()
    return above, at_cut


def _ranked(
    options: int, ballots: Sequence[tuple[int, ...]], seats: int
) -> tuple[tuple[RunoffCount, ...], tuple[int, ...], tuple[int, ...]]:
    """Seats filled one instant-runoff count at a time, each without the options elected."""
    weights = Counter(b for b in ballots if b)
    elected: list[int] = []
    counts: list[RunoffCount] = []
    while len(elected) < seats:
        continuing = [o for o in range(options) if o not in elected]
        if not continuing:
            break
        result = runoff(weights, continuing)
        counts.append(result)
        open_seats = seats - len(elected)
        if not result.winners or not any(result.rounds[-1].tallies.values()):
            break  # no ballot ranks a continuing option: the remaining seats stay open
        if len(result.winners) > open_seats:
            return tuple(counts), tuple(elected), result.winners
        elected.extend(result.winners)
    return tuple(counts), tuple(elected), ()


def runoff(weights: Counter[tuple[int, ...]], continuing: Iterable[int]) -> RunoffCount:
    """One instant-runoff count among ``continuing`` over weighted distinct ballots.

    Each distinct ballot keeps a pointer to its highest-ranked continuing option and sits on that
    option's pile; eliminating an option moves only its pile, so a count costs about the total
    length of the distinct ballots, not rounds x ballots.
    """
    alive = set(continuing)
    piles: dict[int, list[tuple[tuple[int, ...], int]]] = {o: [] for o in alive}
    tallies = dict.fromkeys(alive, 0)
    exhausted = 0

    def place(ballot: tuple[int, ...], start: int) -> None:
        nonlocal exhausted
        for i in range(start, len(ballot)):
            if ballot[i] in alive:
                piles[ballot[i]].append((ballot, i))
                tallies[ballot[i]] += weights[ballot]
                return
        exhausted += weights[ballot]

    for ballot in weights:
        place(ballot, 0)
    rounds: list[Round] = []
    while True:
        active = sum(tallies.values())
        best = max(tallies.values())
        lowest = min(tallies.values())
        snapshot = dict(sorted(tallies.items()))
        if active and best * 2 > active:
            winner = tuple(o for o in tallies if tallies[o] == best)
            rounds.append(Round(snapshot, exhausted, ()))
            return RunoffCount(tuple(rounds), winner, majority=True)
        out = tuple(sorted(o for o in tallies if tallies[o] == lowest))
        if len(out) == len(tallies):
            rounds.append(Round(snapshot, exhausted, ()))
            return RunoffCount(tuple(rounds), out, majority=False)
        rounds.append(Round(snapshot, exhausted, out))
        alive.difference_update(out)
        moving = [entry for o in out for entry in piles.pop(o)]
        for o in out:
            del tallies[o]
        for ballot, i in moving:
            place(ballot, i + 1)
