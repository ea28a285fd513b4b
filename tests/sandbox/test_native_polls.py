"""Discord's own polls in the sandbox: the poll object's limits, votes and answer counts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import limits
from bot.sandbox.errors import InvalidFormBody


def poll(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "question": {"text": "Coffee or tea?"},
        "answers": [{"poll_media": {"text": "Coffee"}}, {"poll_media": {"text": "Tea"}}],
        "duration": 24,
        "allow_multiselect": False,
        "layout_type": 1,
    }
    return base | changes


def answers(n: int, length: int = 5) -> list[dict[str, Any]]:
    return [{"poll_media": {"text": f"{i:0{length}d}"}} for i in range(n)]


BAD_POLLS = {
    "question 301": poll(question={"text": "q" * 301}),
    "no question": poll(question={}),
    "11 answers": poll(answers=answers(11)),
    "no answers": poll(answers=[]),
    "answer 56": poll(answers=answers(2, 56)),
    "duration 0": poll(duration=0),
    "duration 769": poll(duration=769),
    "duration 1.5": poll(duration=1.5),
    "layout 2": poll(layout_type=2),
}


@pytest.mark.parametrize("payload", BAD_POLLS.values(), ids=BAD_POLLS.keys())
def test_a_poll_breaking_a_limit_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidFormBody) as caught:
        limits.check_message({"poll": payload}, creating=True)
    assert "poll" in caught.value.errors  # type: ignore[operator]


def test_the_largest_poll_passes() -> None:
    limits.check_message(
        {"poll": poll(question={"text": "q" * 300}, answers=answers(10, 55), duration=768)},
        creating=True,
    )
