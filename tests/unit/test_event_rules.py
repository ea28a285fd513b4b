"""Event rules without Discord: RSVPs and the waitlist, reminder plans, input checks, series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserFacingError
from cogs.events._display import description_form_title
from cogs.events._rules import (
    Override,
    Schedule,
    check_capacity,
    check_link,
    check_place,
    check_times,
    check_title,
    decide_rsvp,
    free_seats,
    occurrence_key,
    over_capacity,
    reminder_plan,
    renamed_occurrences,
)

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("previous", "wanted", "capacity", "going", "waitlist", "stored", "promote"),
    [
        (None, "going", None, 50, [], "going", ()),
        (None, "going", 2, 1, [], "going", ()),
        (None, "going", 2, 2, [], "waitlist", ()),
        (None, "going", 2, 2, [7], "waitlist", ()),
        ("waitlist", "going", 2, 2, [5], "waitlist", ()),  # pressing again keeps your place
        ("going", "going", 2, 2, [5], "going", ()),
        ("going", "declined", 2, 2, [5, 6], "declined", (5,)),  # first waiting moves up
        ("going", "maybe", 2, 2, [], "maybe", ()),
        (
            "waitlist",
            "declined",
            2,
            2,
            [5, 6],
            "declined",
            (),
        ),  # leaving the waitlist frees nothing
        ("maybe", "declined", None, 0, [], "declined", ()),
        ("going", "declined", None, 3, [9], "declined", (9,)),
    ],
)
def test_rsvp_decisions(previous, wanted, capacity, going, waitlist, stored, promote) -> None:  # type: ignore[no-untyped-def]
    decision = decide_rsvp(
        previous=previous, wanted=wanted, capacity=capacity, going_count=going, waitlist=waitlist
    )
    assert (decision.stored, decision.promote) == (stored, promote)


def test_reminder_plan_skips_offsets_already_past() -> None:
    start = NOW + timedelta(hours=5)
    plan = reminder_plan(start, [timedelta(days=1), timedelta(hours=1)], NOW)
    assert plan == [(timedelta(hours=1), NOW + timedelta(hours=4))]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: check_title("   "), "empty"),
        (lambda: check_title("x" * 101), "within 100"),
        (lambda: check_link("ftp://example.org"), "https://"),
        (lambda: check_link("www.example.org"), "https://"),
        (lambda: check_capacity(0), "at least 1"),
        (lambda: check_place("online", None, None), "needs a link"),
        (lambda: check_place("live", "https://x.org", None), "needs a venue"),
        (lambda: check_times(NOW - timedelta(hours=1), NOW, NOW), "past"),
        (lambda: check_times(NOW + timedelta(hours=2), NOW + timedelta(hours=1), NOW), "after"),
    ],
)
def test_bad_input_is_refused_with_a_reason(call, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserFacingError) as caught:
        call()
    assert fragment in str(caught.value)


def test_good_input_is_cleaned() -> None:
    assert check_title("  Kick-off   meeting ") == "Kick-off meeting"
    assert check_link(" https://meet.example.org/s3 ") == "https://meet.example.org/s3"
    assert check_capacity(None) is None


def test_weekly_series_keeps_local_time_and_overrides_apply() -> None:
    first = datetime(2027, 3, 16, 10, 0, tzinfo=HELSINKI)
    schedule = Schedule(first, timedelta(hours=1), "FREQ=WEEKLY;COUNT=4")
    plain = schedule.occurrences()
    assert [o.start.astimezone(HELSINKI).hour for o in plain] == [10, 10, 10, 10]
    assert [o.start.hour for o in plain] == [8, 8, 7, 7]  # UTC moves at the DST change
    second, third = plain[1], plain[2]
    moved_to = second.original_start + timedelta(hours=3)
    overrides = {second.key: Override(start=moved_to), third.key: Override(cancelled=True)}
    changed = schedule.occurrences(overrides)
    assert changed[1].start == moved_to and changed[1].moved
    assert changed[1].key == occurrence_key(second.original_start)
    assert changed[2].cancelled
    after_first = plain[0].end
    upcoming = schedule.next_occurrence(overrides, after_first)
    assert upcoming is not None and upcoming.key == second.key
    assert schedule.find(overrides, third.key) == changed[2]
    assert schedule.find(overrides, "123") is None


def test_single_event_has_one_occurrence_until_it_ends() -> None:
    start = datetime(2026, 12, 3, 14, 0, tzinfo=HELSINKI)
    schedule = Schedule(start, timedelta(hours=2))
    assert len(schedule.occurrences()) == 1
    during = start.astimezone(UTC) + timedelta(minutes=30)
    assert schedule.next_occurrence({}, during) is not None  # still under way
    assert schedule.next_occurrence({}, during + timedelta(hours=2)) is None


def test_occurrences_keep_their_identity_by_day_when_a_series_moves() -> None:
    old = Schedule(
        datetime(2027, 3, 16, 10, 0, tzinfo=HELSINKI), timedelta(hours=1), "FREQ=WEEKLY;COUNT=5"
    )
    later = Schedule(
        datetime(2027, 3, 16, 11, 30, tzinfo=HELSINKI), timedelta(hours=1), "FREQ=WEEKLY;COUNT=5"
    )
    keys = [o.key for o in old.occurrences()]
    renames = renamed_occurrences(old, later, keys)
    new_keys = [o.key for o in later.occurrences()]
    assert renames == dict(zip(keys, new_keys, strict=True))  # across the DST change too
    shorter = Schedule(old.start_local, old.duration, "FREQ=WEEKLY;COUNT=3")
    assert renamed_occurrences(old, shorter, keys) == {keys[3]: None, keys[4]: None}
    assert renamed_occurrences(old, old, keys) == {}


@pytest.mark.parametrize(
    "link",
    ["https://[abc", "https://x.example.org:99999/", "https://", "https://a b", "https://\tx.org"],
)
def test_malformed_links_are_refused_not_crashed(link: str) -> None:
    with pytest.raises(UserFacingError):
        check_link(link)


HELSINKI_ZONE = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("wall", "length"),
    [
        # the second 03:30 of 31 October 2027 (clocks back at 04:00): 1 h is 1 h, not 2
        ((2027, 10, 31, 3, 30, 1), timedelta(hours=1)),
        ((2027, 10, 31, 3, 30, 0), timedelta(hours=1)),  # the first 03:30
        # across the spring gap (03:00 -> 04:00 on 28 March 2027): 2 h is 2 h, not 1
        ((2027, 3, 28, 2, 30, 0), timedelta(hours=2)),
        # Friday to Monday over the autumn weekend ends on time, not an hour late
        ((2027, 10, 29, 9, 0, 0), timedelta(days=3)),
    ],
)
def test_a_length_is_elapsed_time_across_clock_changes(
    wall: tuple[int, int, int, int, int, int], length: timedelta
) -> None:
    *fields, fold = wall
    start = datetime(*fields, tzinfo=HELSINKI_ZONE, fold=fold)
    (occurrence,) = Schedule(start, length).occurrences()
    assert occurrence.end - occurrence.start == length
    assert occurrence.start == start.astimezone(UTC)
    series = Schedule(start.replace(fold=0), length, "FREQ=WEEKLY;COUNT=3").occurrences()
    assert all(o.end - o.start == length for o in series)


@pytest.mark.parametrize(
    "title",
    ["Kick-off", "Industrial transition working group: priorities for 2027", "x" * 80],
)
def test_the_form_title_fits_without_cutting_a_word(title: str) -> None:
    shown = description_form_title("en", title)
    assert len(shown) <= 45
    if len(f"Describe {title}") > 45 and " " in title:
        assert shown.endswith("…") and f"Describe {title}".startswith(shown[:-1])
        assert f"Describe {title}"[len(shown) - 1] == " "  # cut where a word ended


@pytest.mark.parametrize(
    ("capacity", "going", "moved"),
    [
        (None, [1, 2, 3], []),
        (3, [1, 2, 3], []),
        (5, [1, 2], []),
        (1, [1, 2, 3], [2, 3]),
        (2, [7, 5, 9], [9]),
    ],
)
def test_over_capacity_names_the_latest_answers(
    capacity: int | None, going: list[int], moved: list[int]
) -> None:
    assert over_capacity(capacity, going) == moved


@given(st.one_of(st.none(), st.integers(1, 50)), st.lists(st.integers(), unique=True, max_size=80))
def test_over_capacity_leaves_exactly_the_capacity_going(
    capacity: int | None, going: list[int]
) -> None:
    """Whoever stays is the earliest answers, as many as there are places; the moved are the
    rest, in order; with the waitlist's free seats afterwards, nobody moves straight back."""
    moved = over_capacity(capacity, going)
    staying = [m for m in going if m not in moved]
    assert staying + moved == going
    assert len(staying) == (len(going) if capacity is None else min(capacity, len(going)))
    assert free_seats(capacity, len(staying)) == 0 or not moved
