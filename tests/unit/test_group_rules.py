"""Group name rules, Discord's ceilings and category overflow."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserFacingError
from cogs.groups import _rules as rules

FINNISH_LETTERS = "abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ -"
names = st.text(alphabet=FINNISH_LETTERS, min_size=1, max_size=100).filter(
    lambda s: rules.channel_name(s) != ""
)


def test_duplicate_names_are_refused_across_languages_and_case() -> None:
    taken = rules.check_names("Industrial transition", "Teollinen muutos", [])
    assert taken == ["industrial transition", "teollinen muutos"]
    for name, name_fi in (("TEOLLINEN MUUTOS", None), ("Other", "industrial  Transition")):
        with pytest.raises(UserFacingError, match="already exists"):
            rules.check_names(name, name_fi, taken)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("x" * 101, "at most 100"),
        ("!!!", "no letters"),
    ],
)
def test_bad_names(name: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        rules.check_names(name, None, [])


@given(names)
def test_names_differing_only_in_case_or_spacing_clash(name: str) -> None:
    keys = rules.check_names(name, None, [])
    for variant in (name.upper(), name.swapcase(), f"  {name} "):
        with pytest.raises(UserFacingError):
            rules.check_names(variant, None, keys)


@given(st.text(max_size=150))
def test_channel_names_follow_discords_rules(name: str) -> None:
    slug = rules.channel_name(name)
    assert len(slug) <= 100
    assert slug == slug.lower() or not slug.isascii()
    assert not re.search(r"\s", slug)
    assert not slug.startswith("-") and not slug.endswith("-")


@given(names)
def test_accepted_names_fit_discords_role_and_channel_limits(name: str) -> None:
    rules.check_names(name, None, [])
    assert 1 <= len(rules.clean_name(name)) <= 100
    assert 1 <= len(rules.channel_name(name)) <= 100


def test_category_overflow_into_a_second_and_third() -> None:
    assert rules.category_for("Partnerships", []) == ("Partnerships", True)
    assert rules.category_for("Partnerships", [("Partnerships", 49)]) == ("Partnerships", False)
    assert rules.category_for("Partnerships", [("Partnerships", 50)]) == ("Partnerships 2", True)
    full = [("Partnerships", 50), ("Partnerships 2", 50)]
    assert rules.category_for("Partnerships", full) == ("Partnerships 3", True)
    # A channel removed from the first category makes room there again.
    assert rules.category_for("Partnerships", [("Partnerships", 49), ("Partnerships 2", 50)]) == (
        "Partnerships",
        False,
    )
    pattern = rules.overflow_names("Partnerships")
    assert pattern.match("partnerships 2") and pattern.match("Partnerships")
    assert not pattern.match("Partnerships archive") and not pattern.match("Partnerships 1")


def test_ceilings_refuse_and_warn_at_80_percent() -> None:
    assert rules.Capacity(roles=10, channels=10).warnings(1) == []
    assert rules.Capacity(roles=199, channels=10).warnings(1) == [("roles", 200, 250)]
    assert rules.Capacity(roles=10, channels=399).warnings(1) == [("channels", 400, 500)]
    assert rules.Capacity(roles=250, channels=10).refusal(1) is not None
    assert rules.Capacity(roles=10, channels=499).refusal(2) is not None
    assert rules.Capacity(roles=249, channels=499).refusal(1) is None


@pytest.mark.parametrize(
    ("archived", "joining", "join", "apply"),
    [
        (False, "open", None, "is open: join it directly"),
        (False, "application", "takes members by application", None),
        (True, "open", "is archived", "is archived"),
        (True, "application", "is archived", "is archived"),
    ],
)
def test_who_may_join_and_who_may_apply(
    archived: bool, joining: str, join: str | None, apply: str | None
) -> None:
    for check, refusal in (
        (rules.check_joinable, join),
        (rules.check_takes_applications, apply),
    ):
        if refusal is None:
            check(archived, joining, "Lapland tourism")
        else:
            with pytest.raises(UserFacingError, match=refusal):
                check(archived, joining, "Lapland tourism")


@given(st.text(max_size=2000))
def test_a_motivation_is_stored_trimmed_and_never_empty(motivation: str) -> None:
    if not motivation.strip():
        with pytest.raises(UserFacingError, match="why you want to join"):
            rules.check_motivation(motivation)
        return
    stored = rules.check_motivation(motivation)
    assert stored == motivation.strip()[: rules.MAX_MOTIVATION] and stored.strip()


@given(st.booleans(), st.none() | st.text(max_size=1000))
def test_a_decline_needs_a_reason_and_an_approval_keeps_one_only_if_given(
    approve: bool, reason: str | None
) -> None:
    given_reason = (reason or "").strip()
    if not approve and not given_reason:
        with pytest.raises(UserFacingError, match="needs a reason"):
            rules.check_reason(approve, reason)
        return
    assert rules.check_reason(approve, reason) == (given_reason[: rules.MAX_REASON] or None)
