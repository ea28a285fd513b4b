"""Support requests' rules: status machine, permissions, business hours and nudge plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserFacingError
from cogs.support._rules import (
    Actor,
    AlreadyClaimedError,
    BusinessCalendar,
    NudgePolicy,
    NudgeTarget,
    Request,
    Status,
    check_draft,
    check_may_request,
    check_outcome,
    claim,
    hand_over,
    next_nudge,
    note_message,
    nudge_at,
    nudge_key,
    reopen,
    resolve,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
HELSINKI = ZoneInfo("Europe/Helsinki")
BE = BusinessCalendar(BRUSSELS, country="BE")
FI = BusinessCalendar(HELSINKI, country="FI")
H = timedelta(hours=1)

REQUESTER = Actor(1, secretariat=False)
OUTSIDER = Actor(2, secretariat=False)
SOFIA = Actor(10, secretariat=True)
PAULA = Actor(11, secretariat=True)


def brussels(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BRUSSELS)


MONDAY_9 = brussels(2026, 11, 30, 9)


def new_request(**fields: object) -> Request:
    base = Request(
        id=7,
        requester_id=REQUESTER.id,
        status=Status.NEW,
        created_at=MONDAY_9,
        awaiting_staff_since=MONDAY_9,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- the form


def test_draft_is_trimmed_and_an_empty_group_is_none() -> None:
    draft = check_draft("  S3 review ", " help ", " Lapland ", "  ", "fi", ("en", "fi"))
    assert (draft.topic, draft.need, draft.region, draft.group) == (
        "S3 review",
        "help",
        "Lapland",
        None,
    )


@pytest.mark.parametrize(
    ("topic", "need", "region", "group", "language", "fragment"),
    [
        ("", "x", "r", None, "en", "topic"),
        ("   ", "x", "r", None, "en", "topic"),
        ("t", "  \n ", "r", None, "en", "describe"),
        ("t", "x", "", None, "en", "region"),
        ("t" * 101, "x", "r", None, "en", "100"),
        ("t", "x" * 4001, "r", None, "en", "4000"),
        ("t", "x", "r" * 101, None, "en", "100"),
        ("t", "x", "r", "g" * 101, "en", "100"),
        ("t", "x", "r", None, "sv", "languages"),
    ],
)
def test_bad_form_fields_are_refused_with_a_reason(
    topic: str, need: str, region: str, group: str | None, language: str, fragment: str
) -> None:
    with pytest.raises(UserFacingError) as caught:
        check_draft(topic, need, region, group, language, ("en", "fi"))
    assert fragment in str(caught.value)


def test_a_need_of_exactly_4000_characters_is_accepted() -> None:
    assert len(check_draft("t", "x" * 4000, "r", None, "en", ("en",)).need) == 4000


def test_excluded_members_and_too_many_open_requests_are_refused() -> None:
    with pytest.raises(UserFacingError, match="not open to you"):
        check_may_request(excluded=True, open_count=0, max_open=3)
    with pytest.raises(UserFacingError, match="3 open requests"):
        check_may_request(excluded=False, open_count=3, max_open=3)
    check_may_request(excluded=False, open_count=2, max_open=3)
    check_may_request(excluded=True, open_count=0, max_open=3, is_secretariat=True)


def test_outcome_must_be_short_and_not_empty() -> None:
    assert check_outcome(" Expert found ") == "Expert found"
    for bad in ("", "  ", "x" * 1001):
        with pytest.raises(UserFacingError):
            check_outcome(bad)


# ---------------------------------------------------------------------------- the status machine


def test_full_lifecycle_new_claimed_resolved_reopened_claimed() -> None:
    now = MONDAY_9 + H
    claimed = claim(new_request(), SOFIA, now)
    assert (claimed.status, claimed.claimed_by, claimed.claimed_at) == (Status.CLAIMED, 10, now)
    resolved = resolve(claimed, SOFIA, now + H)
    assert resolved.status == Status.RESOLVED and resolved.resolved_at == now + H
    assert resolved.awaiting_staff_since is None
    reopened = reopen(resolved, REQUESTER, now + 2 * H, timedelta(days=14))
    assert reopened.status == Status.REOPENED and reopened.claimed_by == SOFIA.id
    assert reopened.awaiting_staff_since == now + 2 * H
    again = claim(reopened, SOFIA, now + 3 * H)
    assert again.status == Status.CLAIMED


def test_only_the_secretariat_claims_hands_over_and_resolves() -> None:
    request = new_request()
    for act in (
        lambda: claim(request, REQUESTER, MONDAY_9),
        lambda: resolve(request, REQUESTER, MONDAY_9),
        lambda: hand_over(request, OUTSIDER, SOFIA, MONDAY_9),
    ):
        with pytest.raises(UserFacingError, match="Only the secretariat"):
            act()


def test_a_second_claim_names_who_holds_it() -> None:
    claimed = claim(new_request(), SOFIA, MONDAY_9)
    with pytest.raises(AlreadyClaimedError) as caught:
        claim(claimed, PAULA, MONDAY_9)
    assert caught.value.holder_id == SOFIA.id
    assert "<@10>" in str(caught.value)
    with pytest.raises(UserFacingError, match="already claimed"):
        claim(claimed, SOFIA, MONDAY_9)


def test_hand_over_goes_to_the_secretariat_only() -> None:
    claimed = claim(new_request(), SOFIA, MONDAY_9)
    assert hand_over(claimed, SOFIA, PAULA, MONDAY_9 + H).claimed_by == PAULA.id
    with pytest.raises(UserFacingError, match="only be handed"):
        hand_over(claimed, SOFIA, OUTSIDER, MONDAY_9)


def test_resolving_an_unclaimed_request_counts_the_resolver_as_claimer() -> None:
    resolved = resolve(new_request(), PAULA, MONDAY_9 + H)
    assert (resolved.claimed_by, resolved.claimed_at) == (PAULA.id, MONDAY_9 + H)
    with pytest.raises(UserFacingError, match="already resolved"):
        resolve(resolved, PAULA, MONDAY_9 + H)
    with pytest.raises(UserFacingError, match="reopen it first"):
        claim(resolved, SOFIA, MONDAY_9 + H)


def test_reopen_window_binds_the_requester_but_not_the_secretariat() -> None:
    window = timedelta(days=14)
    resolved = resolve(claim(new_request(), SOFIA, MONDAY_9), SOFIA, MONDAY_9)
    late = MONDAY_9 + timedelta(days=15)
    with pytest.raises(UserFacingError, match="more than 14 days"):
        reopen(resolved, REQUESTER, late, window)
    with pytest.raises(UserFacingError, match="Only the requester"):
        reopen(resolved, OUTSIDER, MONDAY_9, window)
    assert reopen(resolved, SOFIA, late, window).status == Status.REOPENED
    with pytest.raises(UserFacingError, match="still open"):
        reopen(new_request(), SOFIA, MONDAY_9, window)


def test_messages_move_the_waiting_clock_of_a_claimed_request_only() -> None:
    claimed = claim(new_request(), SOFIA, MONDAY_9)
    answered = note_message(claimed, SOFIA, MONDAY_9 + H)
    assert answered.awaiting_staff_since is None
    asked = note_message(answered, REQUESTER, MONDAY_9 + 2 * H)
    assert asked.awaiting_staff_since == MONDAY_9 + 2 * H
    assert note_message(asked, REQUESTER, MONDAY_9 + 3 * H) == asked
    unclaimed = new_request()
    assert note_message(unclaimed, SOFIA, MONDAY_9 + H) == unclaimed


# ---------------------------------------------------------------------------- business hours


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (brussels(2026, 11, 30, 9), brussels(2026, 11, 30, 17), 8),  # a Monday
        (brussels(2026, 11, 30, 8), brussels(2026, 11, 30, 18), 8),  # before and after hours
        (brussels(2026, 11, 27, 16), brussels(2026, 11, 30, 10), 2),  # over a weekend
        (brussels(2026, 11, 28, 10), brussels(2026, 11, 29, 20), 0),  # inside a weekend
        (brussels(2026, 11, 10, 16), brussels(2026, 11, 12, 10), 2),  # Armistice Day 11 Nov
        (brussels(2026, 12, 24, 16), brussels(2026, 12, 28, 10), 2),  # Christmas Fri + weekend
        (brussels(2026, 3, 27, 16), brussels(2026, 3, 30, 10), 2),  # weekend of spring DST
        (brussels(2026, 10, 23, 16), brussels(2026, 10, 26, 10), 2),  # weekend of autumn DST
        (brussels(2026, 11, 30, 12), brussels(2026, 11, 30, 11), 0),  # backwards
    ],
)
def test_business_hours_between(start: datetime, end: datetime, hours: int) -> None:
    assert BE.between(start, end) == timedelta(hours=hours)


def test_a_country_of_its_own_finnish_midsummer_eve_and_independence_day() -> None:
    # Midsummer Eve (Fri 19 June 2026) is a holiday in Finland, not in Belgium.
    friday = datetime(2026, 6, 19, 12, tzinfo=HELSINKI)
    assert FI.holiday_name(friday.date()) == "Midsummer Eve"
    assert not FI.is_business_day(date(2026, 6, 19))
    assert BE.is_business_day(date(2026, 6, 19))
    assert FI.between(friday, friday + timedelta(days=3)) == timedelta(hours=3)  # Mon 9-12


def test_dst_days_count_real_hours_not_clock_hours() -> None:
    # Hours 01:00-05:00 on Sundays: on the spring DST day the clock skips 02:00-03:00.
    night = BusinessCalendar(BRUSSELS, opens=time(1), closes=time(5), workdays=frozenset({6}))
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    start = datetime.combine(spring, time(0), BRUSSELS)
    assert night.between(start, start + timedelta(hours=12)) == timedelta(hours=3)
    start = datetime.combine(autumn, time(0), BRUSSELS)
    assert night.between(start, start + timedelta(hours=12)) == timedelta(hours=5)
    assert night.add(datetime.combine(spring, time(0), BRUSSELS), 3 * H) == datetime(
        2026, 3, 29, 5, tzinfo=BRUSSELS
    )


def test_add_skips_weekends_and_holidays() -> None:
    # Thu 24 Dec 2026 15:00 + 4 business hours: 2 h that day, Christmas Friday, weekend,
    # then Monday 28 Dec 09:00 + 2 h.
    assert BE.add(brussels(2026, 12, 24, 15), 4 * H) == brussels(2026, 12, 28, 11)
    # Zero business time from a Saturday is Monday's opening.
    assert BE.add(brussels(2026, 11, 28, 10), timedelta(0)) == brussels(2026, 11, 30, 9)
    # Exactly a full day ends at closing time, not the next morning.
    assert BE.add(brussels(2026, 11, 30, 9), 8 * H) == brussels(2026, 11, 30, 17)


def test_calendar_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="open before"):
        BusinessCalendar(BRUSSELS, opens=time(17), closes=time(9))
    with pytest.raises(ValueError, match="working day"):
        BusinessCalendar(BRUSSELS, workdays=frozenset())
    with pytest.raises(ValueError):
        BE.add(MONDAY_9, -H)


# hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
amounts = st.integers(min_value=0, max_value=60 * 24 * 5).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(start=moments, amount=amounts)
def test_add_then_between_gives_the_amount_back(start: datetime, amount: timedelta) -> None:
    end = FI.add(start, amount)
    assert end >= start
    assert FI.between(start, end) == amount


@settings(max_examples=150, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_between_is_additive_and_bounded_by_wall_time(
    a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assert BE.between(a, b) + BE.between(b, c) == BE.between(a, c)
    assert BE.between(a, c) <= c - a


@settings(max_examples=100, deadline=None)
@given(start=moments, amount=amounts)
def test_add_never_ends_outside_business_hours(start: datetime, amount: timedelta) -> None:
    end = BE.add(start, amount).astimezone(BRUSSELS)
    assert BE.is_business_day(end.date())
    assert time(9) <= end.time() <= time(17)


# ---------------------------------------------------------------------------- nudges

POLICY = NudgePolicy(unclaimed_after=4 * H, claimed_after=16 * H, every=8 * H)


def test_unclaimed_request_nudges_triage_after_the_delay_then_once_per_interval() -> None:
    request = new_request()
    first = nudge_at(request, 0, BE, POLICY)
    assert first is not None
    assert (first.target, first.due_at) == (NudgeTarget.TRIAGE, brussels(2026, 11, 30, 13))
    second = nudge_at(request, 1, BE, POLICY)
    assert second is not None and second.due_at == brussels(2026, 12, 1, 13)


def test_a_friday_afternoon_request_waits_over_the_weekend_and_a_holiday() -> None:
    # Thu 24 Dec 15:00: 2 h that day; Christmas Friday and the weekend do not count.
    request = new_request(
        created_at=brussels(2026, 12, 24, 15), awaiting_staff_since=brussels(2026, 12, 24, 15)
    )
    first = nudge_at(request, 0, BE, POLICY)
    assert first is not None and first.due_at == brussels(2026, 12, 28, 11)


def test_claimed_request_nudges_the_claimer_then_the_secretariat() -> None:
    claimed = claim(new_request(), SOFIA, MONDAY_9)
    steps = [nudge_at(claimed, n, BE, POLICY) for n in range(3)]
    assert [s.target for s in steps if s] == [
        NudgeTarget.CLAIMER,
        NudgeTarget.SECRETARIAT,
        NudgeTarget.SECRETARIAT,
    ]
    assert steps[0] is not None and steps[0].due_at == brussels(2026, 12, 1, 17)
    answered = note_message(claimed, SOFIA, MONDAY_9 + H)
    assert nudge_at(answered, 0, BE, POLICY) is None
    assert nudge_at(resolve(claimed, SOFIA, MONDAY_9), 0, BE, POLICY) is None


def test_next_nudge_is_the_first_one_still_ahead() -> None:
    request = new_request()
    found = next_nudge(request, BE, POLICY, after=brussels(2026, 12, 1, 9))
    assert found is not None and found.step == 1
    assert next_nudge(request, BE, POLICY, after=MONDAY_9) == nudge_at(request, 0, BE, POLICY)


def test_nudge_keys_change_with_each_state_so_a_new_wait_is_planned_afresh() -> None:
    request = new_request(version=3)
    assert nudge_key(request, 0) == "support:7:nudge:v3:0"
    assert nudge_key(replace(request, version=4), 0) != nudge_key(request, 0)


# ---------------------------------------------------------------------------- any sequence

ACTORS = [REQUESTER, OUTSIDER, SOFIA, PAULA]
steps = st.lists(
    st.tuples(
        st.sampled_from(["claim", "hand_over", "resolve", "reopen", "message"]),
        st.sampled_from(ACTORS),
        st.sampled_from(ACTORS),
        st.integers(min_value=0, max_value=30 * 24),  # hours since the previous step
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(sequence=steps)
def test_any_sequence_of_actions_keeps_the_request_consistent(
    sequence: list[tuple[str, Actor, Actor, int]],
) -> None:
    """Whoever does whatever in any order: a refusal is a UserFacingError that changes
    nothing, only the secretariat ever holds or closes a request, and the fields agree with
    the status."""
    request, now = new_request(), MONDAY_9
    for action, actor, other, hours in sequence:
        now += timedelta(hours=hours)
        try:
            if action == "claim":
                after = claim(request, actor, now)
            elif action == "hand_over":
                after = hand_over(request, actor, other, now)
            elif action == "resolve":
                after = resolve(request, actor, now)
            elif action == "reopen":
                after = reopen(request, actor, now, timedelta(days=14))
            else:
                after = note_message(request, actor, now)
        except UserFacingError:
            continue
        if action in ("claim", "hand_over", "resolve"):
            assert actor.secretariat
        if action == "reopen" and not actor.secretariat:
            assert actor.id == request.requester_id
        request = after
        assert request.is_open == (request.status != Status.RESOLVED)
        if request.status == Status.CLAIMED:
            assert request.claimed_by in (SOFIA.id, PAULA.id) and request.claimed_at is not None
        if request.status == Status.RESOLVED:
            assert request.resolved_at is not None and request.claimed_by is not None
            assert request.awaiting_staff_since is None
            assert nudge_at(request, 0, BE, POLICY) is None
        elif request.claimed_by is None:
            first = nudge_at(request, 0, BE, POLICY)
            assert first is not None and first.target == NudgeTarget.TRIAGE
