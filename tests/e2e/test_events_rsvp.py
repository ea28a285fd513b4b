"""RSVPs: one answer per member, counts in place, capacity, waitlist and promotion by DM."""

from __future__ import annotations

import asyncio

import discord

from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, confirmed, create_event, dm_containing, fields


async def wait_for_answers(community: LocalCommunity, expected: str) -> None:
    """The announcement is edited shortly after clicks; wait (bounded) for the counts."""
    await community.sandbox.wait_until(
        lambda: fields(announcement(community))["Answers"] == expected
    )


async def test_answers_update_counts_and_show_your_own_state(community: LocalCommunity) -> None:
    await create_event(community)
    message = announcement(community)
    aino = community.as_member("aino")
    answer = await aino.click(message, "Going")
    assert answer.ephemeral
    assert "Tulen" in answer.content or "Going" in answer.content
    # The ephemeral answer carries the buttons again: changing your mind is one press.
    again = await community.as_member("marco").click(message, "Maybe")
    assert "Your answer for **Kick-off**" in again.content and "Maybe" in again.content
    changed = await community.as_member("marco").click(again.message, "Going")  # type: ignore[arg-type]
    assert "Going" in changed.content
    await wait_for_answers(community, "Going: 2 · Maybe: 0 · Can't go: 0")
    await aino.click(message, "Going")  # pressing twice keeps one answer
    await wait_for_answers(community, "Going: 2 · Maybe: 0 · Can't go: 0")


async def test_a_reply_with_buttons_keeps_nothing_behind(community: LocalCommunity) -> None:
    """The answer's buttons are persistent: discord.py finds them by custom_id, so it keeps no
    view of each ephemeral reply (it would, for 15 minutes, with a task each)."""
    await create_event(community)
    answer = await community.as_member("marco").click(announcement(community), "Going")
    timers = [t.get_coro() for t in asyncio.all_tasks() if "timeout_task" in repr(t.get_coro())]
    kept = [timer.cr_frame.f_locals["self"] for timer in timers]  # type: ignore[union-attr]
    views = [v for v in kept if isinstance(v, discord.ui.View)]  # not the organiser's form
    assert views == []
    changed = await community.as_member("marco").click(answer.message, "Maybe")  # type: ignore[arg-type]
    assert "Maybe" in changed.content


async def test_waitlist_and_promotion(community: LocalCommunity) -> None:
    await create_event(community, capacity=2)
    message = announcement(community)
    await community.as_member("aino").click(message, "Going")
    await community.as_member("marco").click(message, "Going")
    full = await community.as_member("lena").click(message, "Going")
    assert "number 1 on the waitlist" in full.content
    olli = await community.as_member("olli").click(message, "Going")
    assert "2" in olli.content  # second in line, told in Finnish
    await wait_for_answers(community, "Going: 2 · Maybe: 0 · Can't go: 0 · On the waitlist: 2")
    assert fields(announcement(community))["Places"] == "2 of 2 taken"

    await community.as_member("marco").click(message, "Can't go")
    await dm_containing(community, "lena", "moved up from the waitlist")
    await wait_for_answers(community, "Going: 2 · Maybe: 0 · Can't go: 1 · On the waitlist: 1")
    assert community.sandbox.dms(community.members["olli"]) == []  # still waiting


async def test_raising_capacity_promotes_the_waitlist(community: LocalCommunity) -> None:
    await create_event(community, capacity=1)
    message = announcement(community)
    await community.as_member("aino").click(message, "Going")
    await community.as_member("marco").click(message, "Going")
    result = await community.as_member("sofia").slash("event edit", event=1, capacity=3)
    assert "updated" in result.content
    await dm_containing(community, "marco", "moved up")
    await wait_for_answers(community, "Going: 2 · Maybe: 0 · Can't go: 0")


async def test_answers_close_when_cancelled(community: LocalCommunity) -> None:
    await create_event(community)
    aino = community.as_member("aino")
    first = await aino.click(announcement(community), "Maybe")
    await confirmed(community.as_member("sofia"), "event cancel", event=1)
    late = await aino.click(first.message, "Tulen")  # the buttons on her earlier answer  # type: ignore[arg-type]
    assert late.ephemeral and "peruttu" in late.content.lower()
    updated = await community.sandbox.wait_until(
        lambda: (m := announcement(community)).embeds[0]["title"] == "Cancelled: Kick-off" and m
    )
    assert updated.components == []


async def test_an_answer_to_a_series_says_it_is_for_that_date_only(
    community: LocalCommunity,
) -> None:
    """Going to one date of a weekly meeting is not going to the series: the answer says so,
    and where to answer the next dates (review #11)."""
    await create_event(community, repeat="weekly")
    marco = await community.as_member("marco").click(announcement(community), "Going")
    assert (
        "**Kick-off** repeats: this answer is for this date only. After it, the announcement "
        "moves on to the next date: answer each date there." in marco.content
    )
    aino = await community.as_member("aino").click(announcement(community), "Going")
    assert (
        "**Kick-off** toistuu: vastauksesi koskee vain tätä päivää. Sen jälkeen ilmoitus "
        "siirtyy seuraavaan päivään: vastaa kuhunkin päivään siellä." in aino.content
    )
    await create_event(community, title="Once")
    once = await community.as_member("marco").click(announcement(community), "Going")
    assert "Your answer for **Once**" in once.content and "repeats" not in once.content
