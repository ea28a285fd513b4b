"""Reading a poll's results as members do: long polls lose whole lines with a count of what is
left out, a rounds table whose options can be told apart, the tie rule only under a tie."""

from __future__ import annotations

import re

from bot.local import LocalCommunity
from tests.e2e.polls_helpers import create_poll, fields, poll_message, rank, vote

LONG = "\n".join(f"Option number {n:02d} " + "x" * 80 for n in range(1, 26))


async def test_a_long_poll_drops_whole_lines_and_says_where_the_rest_is(
    community: LocalCommunity,
) -> None:
    created = await create_poll(community, options=LONG, secret=False, results="live")
    assert "is open" in created.content, created.content
    await vote(community, "marco", ["Option number 17 " + "x" * 80])
    await community.sandbox.wait_until(
        lambda: "— 1 vote" in fields(poll_message(community))["Results so far"]
    )
    shown = fields(poll_message(community))["Results so far"].splitlines()
    more = re.fullmatch(r"…and (\d+) more \(see /poll results\)", shown[-1])
    assert more is not None, shown[-1]
    # Every line shown is whole (its count and share end it), and none is lost unsaid.
    assert all(re.search(r"— \d+ votes? \(\d+ %\)$", line) for line in shown[:-1])
    assert len(shown) - 1 + int(more[1]) == 25
    asked = await community.as_member("lena").slash("poll results", poll=1)
    answer = (await asked.wait_followup()).content
    assert answer.splitlines()[-1].startswith("…and ")
    assert answer.endswith("more (see the chart and /poll export)")
    assert "Ties:" not in answer  # Option 17 won outright


async def test_ranked_rounds_tell_similar_options_apart(community: LocalCommunity) -> None:
    options = ["Green transition in industry", "Green transition in tourism", "Skills"]
    await create_poll(
        community,
        question="Theme?",
        options="\n".join(options),
        mode="ranked",
        results="live",
        secret=False,
    )
    await rank(community, "sofia", [options[0]])
    await rank(community, "olli", [options[1], options[0]])
    await rank(community, "marco", [options[2], options[0]])
    await rank(community, "lena", [options[0]])
    await community.sandbox.wait_until(
        lambda: fields(poll_message(community))["Turnout"].startswith("4 of 5")
    )
    shown = fields(poll_message(community))
    labels = [line.split()[0] for line in shown["Rounds"].splitlines()[2:-2]]
    assert labels == ["1.", "2.", "3."]  # the reviewer saw "Green transition i" twice
    assert "**1.** Green transition in industry" in shown["Results so far"]
    # Round 1: 2, 1 and 1: options 2 and 3 go out together, so the tie rule is stated.
    assert "✅ **1.** Green transition in industry — 4 votes" in shown["Results so far"]
    assert (
        "every option tied for the fewest votes is eliminated together" in (shown["Results so far"])
    )
