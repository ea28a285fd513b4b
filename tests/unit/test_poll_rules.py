"""Poll creation and ballot rules: every refusal is a UserFacingError a member can read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserFacingError
from bot.i18n import translate
from cogs.polls._rules import (
    BallotRules,
    PollSpec,
    check_ballot,
    check_electorate,
    check_reminder,
    check_spec,
    parse_options,
    rule_key,
    rule_params,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EIGHT = "\n".join(f"Action {i}" for i in range(1, 9))


def spec(**changes: Any) -> PollSpec:
    values: dict[str, Any] = {
        "question": "Which support actions?",
        "options_text": EIGHT,
        "description": "",
        "mode": "multiple",
        "minimum": 3,
        "maximum": 3,
        "winners": 3,
        "secret": True,
        "live_results": False,
        "closes_at": NOW + timedelta(days=2),
        "quorum_percent": 50,
        "now": NOW,
    }
    values.update(changes)
    return check_spec(**values)


def test_a_three_of_eight_poll() -> None:
    poll = spec()
    assert len(poll.options) == 8
    assert (poll.min_choices, poll.max_choices, poll.winners) == (3, 3, 3)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"options_text": "Only one"}, "at least 2 options"),
        ({"options_text": "\n".join(f"o{i}" for i in range(26))}, "at most 25"),
        ({"options_text": "Cake\nTea\n  cake "}, "listed twice"),
        ({"options_text": "a" * 101 + "\nb"}, "101 characters"),
        ({"minimum": 4, "maximum": 3}, "minimum 4 is above the maximum 3"),
        ({"minimum": 1, "maximum": 9}, "maximum 9 is more than the 8 options"),
        ({"minimum": 0}, "at least 1"),
        ({"winners": 9}, "9 winners from 8 options"),
        ({"mode": "single", "minimum": None, "maximum": None, "winners": 2}, "one winner"),
        ({"mode": "single", "minimum": 2}, "takes one option"),
        ({"closes_at": NOW - timedelta(minutes=1)}, "in the past"),
        ({"quorum_percent": 101}, "0 to 100"),
        ({"quorum_percent": -5}, "0 to 100"),
        ({"question": "   "}, "question is empty"),
        ({"question": "q" * 301}, "301 characters"),
        ({"description": "d" * 1001}, "1001 characters"),
    ],
)
def test_a_poll_that_breaks_a_rule_is_refused(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        spec(**changes)
    assert fragment in str(caught.value)
    # The refusal reads in Finnish too (the catalog test checks every string has a translation).
    translate("fi", caught.value.message, **caught.value.params)


def test_ranked_defaults_to_ranking_any_number() -> None:
    poll = spec(mode="ranked", minimum=None, maximum=None, winners=1)
    assert (poll.min_choices, poll.max_choices) == (1, 8)


def test_options_keep_their_text_and_drop_blank_lines() -> None:
    assert parse_options("  Green   transition \n\nDigital\n") == ("Green transition", "Digital")


def test_an_empty_electorate_is_refused() -> None:
    with pytest.raises(UserFacingError, match="empty"):
        check_electorate(0)
    assert check_electorate(3) == 3


THREE_OF_EIGHT = BallotRules("multiple", 8, 3, 3, open=True)


@pytest.mark.parametrize(
    ("rules", "choices", "fragment"),
    [
        (THREE_OF_EIGHT, [0, 1, 2, 3], "exactly 3"),  # the crafted 4-choice ballot
        (THREE_OF_EIGHT, [0, 1], "exactly 3"),
        (THREE_OF_EIGHT, [0, 1, 8], "not in this poll"),
        (THREE_OF_EIGHT, [0, 1, -1], "not in this poll"),
        (THREE_OF_EIGHT, [0, 1, 1], "only once"),
        (BallotRules("multiple", 8, 3, 3, open=False), [0, 1, 2], "closed"),
        (BallotRules("single", 3, 1, 1, open=True), [0, 1], "one option"),
        (BallotRules("ranked", 4, 1, 4, open=True), [], "up to 4"),
        (BallotRules("ranked", 4, 2, 3, open=True), [2], "2 to 3"),
    ],
)
def test_a_ballot_breaking_the_rules_is_refused(
    rules: BallotRules, choices: list[int], fragment: str
) -> None:
    with pytest.raises(UserFacingError) as caught:
        check_ballot(rules, choices)
    assert fragment in str(caught.value)


def test_ballots_are_stored_sorted_unless_ranked() -> None:
    assert check_ballot(THREE_OF_EIGHT, [5, 0, 2]) == (0, 2, 5)
    assert check_ballot(BallotRules("ranked", 4, 1, 4, open=True), [3, 0]) == (3, 0)


@given(
    st.integers(2, 25).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n).flatmap(lambda lo: st.tuples(st.just(lo), st.integers(lo, n))),
            st.lists(st.integers(-2, n + 1), max_size=n + 2),
            st.sampled_from(["multiple", "ranked"]),
        )
    )
)
def test_check_ballot_accepts_exactly_the_valid_ballots(case: Any) -> None:
    n, (low, high), choices, mode = case
    rules = BallotRules(mode, n, low, high, open=True)
    valid = (
        all(0 <= c < n for c in choices)
        and len(set(choices)) == len(choices)
        and low <= len(choices) <= high
    )
    try:
        stored = check_ballot(rules, choices)
    except UserFacingError:
        assert not valid
    else:
        assert valid and sorted(stored) == sorted(choices)


@pytest.mark.parametrize(
    ("rules", "line"),
    [
        (BallotRules("single", 3, 1, 1, True), "Choose one option."),
        (THREE_OF_EIGHT, "Choose exactly 3 options."),
        (BallotRules("multiple", 8, 1, 3, True), "Choose 1 to 3 options."),
        (BallotRules("ranked", 8, 1, 8, True), "Rank up to 8 options in order of preference."),
    ],
)
def test_the_rule_line(rules: BallotRules, line: str) -> None:
    assert rule_key(rules).format(**rule_params(rules)) == line


@pytest.mark.parametrize(
    ("closes_in", "remind_minutes", "refused"),
    [
        (None, None, None),
        (timedelta(hours=3), None, None),
        (timedelta(hours=3), 60, None),
        (None, 60, "needs a close time"),
        (timedelta(minutes=30), 60, "before the poll opens"),
        (timedelta(minutes=60), 60, "before the poll opens"),  # due the moment it opens
    ],
)
def test_a_reminder_must_fall_while_the_poll_is_open(
    closes_in: timedelta | None, remind_minutes: int | None, refused: str | None
) -> None:
    closes_at = NOW + closes_in if closes_in else None
    if refused is None:
        check_reminder(closes_at, remind_minutes, "1h", NOW)
        return
    with pytest.raises(UserFacingError) as error:
        check_reminder(closes_at, remind_minutes, "1h", NOW)
    assert refused in str(error.value)
