"""How results read: whole lines within Discord's limits, rounds tables members can tell apart,
the tie rule only where a tie mattered, and charts that show every option's name."""

from __future__ import annotations

import re
import struct
import warnings
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.polls._count import Mode, count
from cogs.polls._display import (
    EMBED_MAX,
    FIELD_MAX,
    Electorate,
    chart_png,
    fit,
    poll_embed,
    result_parts,
    results_text,
    rounds_table,
)
from db.polls import PollRecord

LONG = [f"Option number {n:02d} " + "x" * 80 for n in range(1, 26)]  # 97 characters each


def record(
    options: list[str], mode: Mode = "single", *, winners: int = 1, status: str = "closed"
) -> PollRecord:
    return PollRecord(
        id=1,
        guild_id=1,
        channel_id=2,
        message_id=3,
        creator_id=4,
        group_id=None,
        question="Which one?",
        description="",
        options=tuple(options),
        mode=mode,
        min_choices=1,
        max_choices=1 if mode == "single" else len(options),
        winners=winners,
        secret=True,
        live_results=True,
        electorate_kind="channel",
        electorate_ref=2,
        electorate_size=100,
        quorum_percent=None,
        closes_at=None,
        remind_minutes=None,
        status=status,
        closed_at=datetime(2026, 12, 1, tzinfo=UTC) if status == "closed" else None,
    )


def png_width(png: bytes) -> int:
    """The image's width in pixels, from its IHDR chunk."""
    return int(struct.unpack(">I", png[16:20])[0])


def embed_fields(poll: PollRecord, ballots: list[tuple[int, ...]]) -> dict[str, str]:
    result = count(poll.mode, len(poll.options), ballots, seats=poll.winners, electorate=100)  # type: ignore[arg-type]
    embed = poll_embed("en", poll, len(ballots), Electorate("{ref}", "#x", False), result)
    assert len(embed) <= EMBED_MAX
    return {f.name or "": f.value or "" for f in embed.fields}


@given(
    lines=st.lists(st.text(st.characters(exclude_characters="\n"), max_size=120), max_size=40),
    limit=st.integers(200, 2000),
)
def test_fit_keeps_whole_lines_within_the_limit(lines: list[str], limit: int) -> None:
    text = fit("en", ["head", *lines], limit, keep=1, tail=("tail",))
    assert len(text) <= limit
    shown = text.split("\n")
    assert shown[0] == "head" and shown[-1] == "tail"
    kept = [line for line in shown[1:-1] if not line.startswith("…and ")]
    assert kept == lines[: len(kept)]  # every line shown is whole, in order
    if len(kept) < len(lines):
        assert f"…and {len(lines) - len(kept)} more" in text


def test_long_results_drop_whole_lines_and_say_how_many() -> None:
    poll = record(LONG)
    ballots = [(o,) for o in range(25) for _vote in range(o + 1)]  # 1 to 25 votes, no tie
    shown = embed_fields(poll, ballots)["Results"]
    assert len(shown) <= FIELD_MAX
    lines = shown.split("\n")
    more = re.fullmatch(r"…and (\d+) more \(see /poll results\)", lines[-1])
    assert more is not None, lines[-1]
    assert all(re.search(r"— \d+ votes? \(\d+ %\)$", line) for line in lines[:-1])
    assert len(lines) - 1 + int(more[1]) == 25
    assert lines[0].startswith("✅ Option number 25")
    # Many tied: the tie line counts them instead of naming every one, and still fits.
    tied = embed_fields(poll, [(n % 25,) for n in range(50)])["Results"]
    assert "⚖️ Tied for the last place: the 25 options marked ⚖️." in tied
    assert len(tied) <= FIELD_MAX and "Ties:" in tied
    text = results_text("en", poll, count("single", 25, ballots, electorate=400), 325)
    assert len(text) <= 2000 and "more (see the chart and /poll export)" in text


def test_rounds_table_numbers_options_and_keeps_its_fence() -> None:
    names = ["Green transition in industry", "Green transition in tourism", "Skills"]
    poll = record(names, "ranked")
    table = embed_fields(poll, [(0,), (1,), (1, 0), (2, 0), (0, 2)])["Rounds"]
    rows = [line.split() for line in table.splitlines()]
    assert [row[0] for row in rows[2:5]] == ["1.", "2.", "3."]  # never two identical labels
    assert table.splitlines()[0] == "```" and table.splitlines()[-1] == "```"
    # The results name each option with its number, so the table can be read against them.
    results = embed_fields(poll, [(0,), (1,), (1, 0), (2, 0), (0, 2)])["Results"]
    assert "✅ **1.** Green transition in industry — 3 votes" in results


def test_a_long_rounds_table_loses_rows_not_its_fence() -> None:
    poll = record(LONG, "ranked")
    # Option n has n + 1 first preferences and passes them on: one option out per round.
    ballots = [(o, *range(o + 1, 25)) for o in range(25) for _vote in range(o + 1)]
    table = embed_fields(poll, ballots)["Rounds"]
    assert len(table) <= FIELD_MAX
    lines = table.splitlines()
    assert lines[0] == "```" and lines[-2] == "```"
    assert re.fullmatch(r"…and \d+ more \(see /poll results\)", lines[-1])
    assert all(len(line) <= 130 for line in lines)  # no row cut in the middle
    several = rounds_table("en", poll, count("ranked", 25, ballots, seats=3, electorate=400).counts)
    assert len(several) <= FIELD_MAX and several.count("```") % 2 == 0


@pytest.mark.parametrize(
    ("mode", "ballots", "winners", "rule"),
    [
        ("single", [(0,), (0,), (1,)], 1, False),  # a clear winner
        ("single", [], 1, False),  # no votes
        ("single", [(0,), (1,)], 1, True),  # tied for the only place
        ("multiple", [(0, 1), (0, 1), (2,)], 2, False),  # the two at the cut both fit
        ("ranked", [(0,), (0,), (1,)], 1, False),  # a majority at once
        ("ranked", [(0,), (0,), (1,), (2,), (3, 0)], 1, True),  # three eliminated together
        ("ranked", [(0,), (1,)], 1, True),  # all remaining tie
    ],
)
def test_the_tie_rule_is_stated_only_when_a_tie_decided_something(
    mode: Mode, ballots: list[tuple[int, ...]], winners: int, rule: bool
) -> None:
    poll = record(["A", "B", "C", "D"], mode, winners=winners)
    result = count(mode, 4, ballots, seats=winners, electorate=10)
    tail = result_parts("en", poll, result)[2]
    assert any(line.startswith("Ties:") for line in tail) == rule


@pytest.mark.parametrize(
    ("language", "seats", "expected"),
    [
        ("en", 1, "⚖️ Tied for the last place: A, B."),
        ("en", 2, "⚖️ Tied for the last 2 places: A, B, C."),
        ("fi", 1, "⚖️ Tasoissa viimeisestä paikasta: A, B."),
        ("fi", 2, "⚖️ Tasoissa viimeisistä 2 paikasta: A, B, C."),
    ],
)
def test_tied_places_read_in_the_right_number(language: str, seats: int, expected: str) -> None:
    poll = record(["A", "B", "C", "D"], "multiple", winners=seats)
    ballots = [(0,), (1,)] if seats == 1 else [(0,), (1,), (2,)]
    result = count("multiple", 4, ballots, seats=seats, electorate=10)
    assert expected in result_parts(language, poll, result)[2]


def test_the_ranked_chart_is_as_wide_as_its_longest_name() -> None:
    names = [
        "Interregional investment pipeline for hydrogen valleys",
        "Peer review of regional smart specialisation strategies",
        "Skills",
        "Joint pilot projects for the green transition",
    ]
    short = record(["A", "B", "C", "D"], "ranked")
    long = record(names, "ranked")
    ballots = [(0, 1), (1,), (3, 0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Tight layout not applied" or any other warning
        wide = chart_png("en", long, count("ranked", 4, ballots, electorate=5))
        narrow = chart_png("en", short, count("ranked", 4, ballots, electorate=5))
        bars = chart_png("en", record(LONG), count("single", 25, [(0,)], electorate=5))
    assert png_width(wide) > png_width(narrow) + 200  # the names' column grew with them
    assert bars.startswith(b"\x89PNG")
