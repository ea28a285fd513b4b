"""Counting: examples, and generated ballot sets compared with independent counts.

Ranked polls are compared with pref_voting's ``instant_runoff_for_truncated_linear_orders`` (the
simultaneous-elimination variant for truncated ballots, the rule ``_count`` states), winners and
every round's table; choice polls with a direct count. Small electorates over few options make
ties, tied eliminations and exhausted ballots frequent.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
from pref_voting.profiles_with_ties import ProfileWithTies

from cogs.polls._count import Quorum, choice_tallies, count, runoff

# -- examples ---------------------------------------------------------------------------------


def test_majority_in_the_first_round() -> None:
    result = count("ranked", 3, [(0, 1), (0,), (1, 0)], electorate=3)
    assert result.elected == (0,)
    assert result.counts[0].rounds[0].tallies == {0: 2, 1: 1, 2: 0}
    assert len(result.counts[0].rounds) == 1


def test_transfers_after_elimination() -> None:
    # A 4, B 3, C 2 (C's voters prefer B): C goes out, B wins 5 to 4.
    ballots = [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] * 2
    result = count("ranked", 3, ballots, electorate=9)
    rounds = result.counts[0].rounds
    assert [r.tallies for r in rounds] == [{0: 4, 1: 3, 2: 2}, {0: 4, 1: 5}]
    assert rounds[0].eliminated == (2,)
    assert result.elected == (1,)


def test_tied_lowest_are_eliminated_together_and_exhausted_ballots_are_counted() -> None:
    ballots = [(0,)] * 3 + [(1,)] + [(2,)] + [(3, 0)]
    rounds = count("ranked", 4, ballots, electorate=6).counts[0].rounds
    assert rounds[0].eliminated == (1, 2, 3)
    assert rounds[1].tallies == {0: 4} and rounds[1].exhausted == 2


def test_a_full_tie_is_reported_not_broken() -> None:
    result = count("ranked", 2, [(0, 1), (1, 0)], electorate=2)
    assert result.elected == () and result.tied == (0, 1) and result.seats_open == 1


def test_several_seats_fill_one_count_at_a_time() -> None:
    ballots = [(0, 1)] * 6 + [(1, 0)] * 3 + [(2, 1)] * 2
    result = count("ranked", 3, ballots, seats=2, electorate=11)
    assert result.elected == (0, 1)
    assert len(result.counts) == 2


def test_k_of_n_winners_and_a_tie_at_the_cut_off() -> None:
    ballots = [(0, 1, 2), (0, 1, 3), (0, 2, 4), (1, 3, 5)]
    result = count("multiple", 8, ballots, seats=3, electorate=4)
    assert result.tallies[0] == 3 and result.tallies[1] == 3
    assert result.elected == (0, 1) and result.tied == (2, 3) and result.seats_open == 1


def test_quorum_missed_names_no_winner() -> None:
    result = count("single", 2, [(0,), (0,)], electorate=10, quorum_percent=30)
    assert not result.quorum.met and result.quorum.required == 3
    assert result.elected == () and result.tallies[0] == 2


@pytest.mark.parametrize(
    ("electorate", "percent", "required"), [(10, 50, 5), (9, 50, 5), (3, 100, 3), (7, 0, 0)]
)
def test_quorum_rounds_up(electorate: int, percent: int, required: int) -> None:
    assert Quorum(electorate, 0, percent).required == required


def test_no_ballots_no_winner() -> None:
    assert count("ranked", 3, [], electorate=5).elected == ()
    assert count("multiple", 3, [], seats=2, electorate=5).elected == ()


# -- generated ballot sets ---------------------------------------------------------------------


def ranked_ballots(max_options: int = 5) -> st.SearchStrategy[tuple[int, list[tuple[int, ...]]]]:
    """(options, ballots): truncated rankings of distinct options, few voters so ties happen."""

    def ballots_for(n: int) -> st.SearchStrategy[tuple[int, list[tuple[int, ...]]]]:
        ranking = st.permutations(range(n)).flatmap(
            lambda p: st.integers(1, n).map(lambda k: tuple(p[:k]))
        )
        return st.tuples(st.just(n), st.lists(ranking, min_size=1, max_size=12))

    return st.integers(2, max_options).flatmap(ballots_for)


def reference_rounds(
    profile: ProfileWithTies, continuing: list[int]
) -> tuple[list[dict[int, int]], list[int]]:
    """Round tables from pref_voting's own profile operations, for the same elimination rule."""
    tables = []
    remaining = list(continuing)
    while True:
        reduced = profile.remove_candidates([c for c in profile.candidates if c not in remaining])
        reduced.remove_empty_rankings()
        scores = {c: int(v) for c, v in reduced.plurality_scores().items()}
        tables.append(dict(sorted(scores.items())))
        active = sum(scores.values())
        if active and max(scores.values()) * 2 > active:
            return tables, [c for c in scores if scores[c] == max(scores.values())]
        low = min(scores.values())
        out = [c for c in scores if scores[c] == low]
        if len(out) == len(scores):
            return tables, sorted(out)
        remaining = [c for c in remaining if c not in out]


@settings(max_examples=300, deadline=None)
@given(ranked_ballots())
def test_instant_runoff_matches_pref_voting(case: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = case
    profile = ProfileWithTies(
        [{c: rank + 1 for rank, c in enumerate(b)} for b in ballots], candidates=list(range(n))
    )
    ours = runoff(Counter(ballots), range(n))
    assert list(ours.winners) == instant_runoff_for_truncated_linear_orders(profile)
    tables, winners = reference_rounds(profile, list(range(n)))
    assert [r.tallies for r in ours.rounds] == tables
    assert list(ours.winners) == winners
    for r in ours.rounds:
        assert sum(r.tallies.values()) + r.exhausted == len(ballots)


@settings(max_examples=200, deadline=None)
@given(ranked_ballots(), st.integers(1, 3))
def test_each_seat_is_pref_voting_without_those_elected(
    case: tuple[int, list[tuple[int, ...]]], seats: int
) -> None:
    n, ballots = case
    seats = min(seats, n)
    profile = ProfileWithTies(
        [{c: rank + 1 for rank, c in enumerate(b)} for b in ballots], candidates=list(range(n))
    )
    result = count("ranked", n, ballots, seats=seats, electorate=len(ballots))
    elected: list[int] = []
    for runoff_count in result.counts:
        continuing = [c for c in range(n) if c not in elected]
        expected = instant_runoff_for_truncated_linear_orders(profile, curr_cands=continuing)
        if runoff_count.winners and sum(runoff_count.rounds[-1].tallies.values()):
            assert list(runoff_count.winners) == expected
        elected.extend(runoff_count.winners)
    # every seat is filled, or the options tied for the rest are named, or no ballot was left
    assert len(result.elected) <= seats
    assert set(result.elected).isdisjoint(result.tied)
    if result.tied:
        assert len(result.tied) > result.seats_open


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n),
            st.lists(st.sets(st.integers(0, n - 1), min_size=1), max_size=15),
        )
    )
)
def test_k_of_n_matches_a_direct_count(case: tuple[int, int, list[set[int]]]) -> None:
    n, seats, chosen = case
    ballots = [tuple(sorted(s)) for s in chosen]
    result = count("multiple", n, ballots, seats=seats, electorate=max(1, len(ballots)))
    direct = {o: sum(o in s for s in chosen) for o in range(n)}
    assert result.tallies == direct == choice_tallies(n, ballots)
    if not ballots:
        assert result.elected == ()
        return
    # Each elected option beats every option not elected and not tied; tied ones are equal.
    others = [o for o in range(n) if o not in result.elected and o not in result.tied]
    for winner in result.elected:
        assert direct[winner] > 0
        assert all(direct[winner] > direct[o] for o in result.tied)
        assert all(direct[winner] >= direct[o] for o in others)
    if result.tied:
        assert len({direct[o] for o in result.tied}) == 1
        assert len(result.tied) > seats - len(result.elected)
        assert all(direct[result.tied[0]] > direct[o] for o in others)
    else:
        assert len(result.elected) == min(seats, sum(v > 0 for v in direct.values()))
