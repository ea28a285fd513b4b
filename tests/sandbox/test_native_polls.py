"""Discord's own polls in the sandbox: the poll object's limits, ending a poll (by its author, or
at its expiry) with the poll result message, and the voters of each answer, paged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
import pytest

from bot.sandbox import limits
from bot.sandbox import permissions as perm
from bot.sandbox.errors import InvalidFormBody, PollExpired
from tests.sandbox.conftest import SandboxBot, World


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


# -- ending a poll, its results, and who voted (discord.py's own client against the sandbox) ----


async def posted_poll(bot: SandboxBot, world: World, *answers: str) -> discord.Message:
    world.sb.set_bot_permissions(world.guild, perm.BOT_DEFAULT | perm.SEND_POLLS)
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    poll = discord.Poll(question="Coffee or tea?", duration=timedelta(hours=1))
    for answer in answers or ("Coffee", "Tea", "Water"):
        poll.add_answer(text=answer)
    return await channel.send(poll=poll)


async def test_the_author_ends_a_poll_and_discord_posts_its_results(
    bot: SandboxBot, world: World
) -> None:
    sent = await posted_poll(bot, world)
    stored = world.sb.backend.messages[sent.id]
    for member in (world.alice, world.bob):
        await world.sb.as_member(member).vote_poll(stored, ["Tea"])
    edits: list[discord.RawMessageUpdateEvent] = []

    async def edited(event: discord.RawMessageUpdateEvent) -> None:
        edits.append(event)

    bot.add_listener(edited, "on_raw_message_edit")
    ended = await sent.end_poll()
    assert ended.poll is not None and ended.poll.is_finalised()
    assert [(a.text, a.vote_count) for a in ended.poll.answers] == [
        ("Coffee", 0),
        ("Tea", 2),
        ("Water", 0),
    ]
    # The poll result message answers the poll, from its author, as Discord documents it.
    results = [m for m in world.sb.messages(world.general) if m.type == 46]
    assert len(results) == 1 and results[0].author.id == stored.author.id
    embed = results[0].embeds[0]
    assert embed["type"] == "poll_result"
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "poll_question_text": "Coffee or tea?",
        "victor_answer_votes": "2",
        "total_votes": "2",
        "victor_answer_id": "2",
        "victor_answer_text": "Tea",
    }
    assert results[0].reference == {
        "message_id": str(sent.id),
        "channel_id": str(world.general.id),
        "guild_id": str(world.guild.id),
    }
    # The bot hears both over the gateway: the final counts and the result message.
    await world.sb.wait_until(
        lambda: any(
            e.message_id == sent.id and e.data["poll"]["results"]["is_finalized"]  # type: ignore[typeddict-item]
            for e in edits
        )
    )
    heard = [m for m in bot.cached_messages if m.type == discord.MessageType.poll_result]
    assert len(heard) == 1 and heard[0].reference and heard[0].reference.message_id == sent.id
    # Nobody votes once it has ended, and it does not end twice.
    with pytest.raises(PollExpired):
        await world.sb.as_member(world.alice).vote_poll(stored, ["Coffee"])
    with pytest.raises(discord.HTTPException) as twice:
        await sent.end_poll()
    assert twice.value.code == 520001
    assert len([m for m in world.sb.messages(world.general) if m.type == 46]) == 1


async def test_a_tie_names_no_winner(bot: SandboxBot, world: World) -> None:
    sent = await posted_poll(bot, world)
    stored = world.sb.backend.messages[sent.id]
    await world.sb.as_member(world.alice).vote_poll(stored, ["Tea"])
    await world.sb.as_member(world.bob).vote_poll(stored, ["Coffee"])
    await sent.end_poll()
    result = next(m for m in world.sb.messages(world.general) if m.type == 46)
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    assert fields == {
        "poll_question_text": "Coffee or tea?",
        "victor_answer_votes": "1",
        "total_votes": "2",
    }


async def test_only_its_author_ends_a_poll(bot: SandboxBot, world: World) -> None:
    backend = world.sb.backend
    theirs = backend.store_message(
        backend.new_message(world.general, world.alice.user, {"poll": poll()}, [])
    )
    with pytest.raises(discord.Forbidden) as refused:
        await bot.http.end_poll(world.general.id, theirs.id)
    assert refused.value.code == 50005
    assert theirs.poll is not None and not theirs.poll.finalized(backend.now())
    without = await posted_poll(bot, world)
    with pytest.raises(discord.NotFound):
        await bot.http.end_poll(world.general.id, without.id + 1)


async def test_answer_voters_come_in_pages_by_id(bot: SandboxBot, world: World) -> None:
    sent = await posted_poll(bot, world)
    stored = world.sb.backend.messages[sent.id]
    crowd = [world.sb.add_member(world.guild, f"voter{i:02d}") for i in range(30)]
    for member in crowd:
        await world.sb.as_member(member).vote_poll(stored, ["Tea"])
    await world.sb.as_member(world.alice).vote_poll(stored, ["Coffee"])
    ids = sorted(m.user.id for m in crowd)
    first = await bot.http.get_poll_answer_voters(world.general.id, sent.id, 2, limit=10)
    assert [int(u["id"]) for u in first["users"]] == ids[:10]
    after = int(first["users"][-1]["id"])
    rest = await bot.http.get_poll_answer_voters(world.general.id, sent.id, 2, after=after)
    assert [int(u["id"]) for u in rest["users"]] == ids[10:30][:25]  # 25 by default
    # discord.py's own paging reads them all.
    fetched = await sent.channel.fetch_message(sent.id)
    assert fetched.poll is not None
    tea = fetched.poll.get_answer(2)
    assert tea is not None
    assert sorted([u.id async for u in tea.voters()]) == ids
    coffee = fetched.poll.get_answer(1)
    assert coffee is not None and [u.id async for u in coffee.voters()] == [world.alice.user.id]
    for limit in (0, 101):
        with pytest.raises(discord.HTTPException) as bad:
            await bot.http.get_poll_answer_voters(world.general.id, sent.id, 2, limit=limit)
        assert bad.value.code == 50035
    with pytest.raises(discord.NotFound):
        await bot.http.get_poll_answer_voters(world.general.id, sent.id, 4)
