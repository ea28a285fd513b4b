"""What members read of an announcement, as plain functions of the counts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.events._display import places


@pytest.mark.parametrize(
    ("language", "going", "capacity", "expected"),
    [
        ("en", 0, 30, "0 of 30 taken"),
        ("en", 2, 2, "2 of 2 taken"),
        ("en", 3, 1, "Full: 3 going, the limit is 1"),
        ("fi", 3, 1, "Täynnä: 3 tulossa, enimmäismäärä 1"),
        ("fi", 1, 3, "1/3 varattu"),
    ],
)
def test_places(language: str, going: int, capacity: int, expected: str) -> None:
    assert places(language, going, capacity) == expected


@given(st.integers(0, 5000), st.integers(1, 5000), st.sampled_from(["en", "fi"]))
def test_places_never_shows_more_taken_than_there_are(
    going: int, capacity: int, language: str
) -> None:
    """Never "3 of 1 taken": more going than places reads as full, with how many over."""
    text = places(language, going, capacity)
    if going > capacity:
        assert re.fullmatch(rf"(Full|Täynnä): {going} \D+ {capacity}", text), text
    else:
        assert re.fullmatch(rf"{going}( of |/){capacity} \w+", text), text
