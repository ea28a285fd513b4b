"""/poll quick: Discord's own poll, posted by the bot, voted on in the Discord client."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.local import DEFAULT_MEMBERS, LocalCommunity, local_community
from bot.sandbox.errors import PollExpired
from bot.sandbox.models import Message


def labels(message: Message) -> list[str]:
    return [c.get("label", "") for row in message.components for c in row.get("components", [])]


def results_under(community: LocalCommunity, message: Message) -> list[Message]:
    """The poll result messages Discord posted for ``message``'s poll."""
    return [
        m
        for m in community.sandbox.messages(community.sandbox.backend.channels[message.channel_id])
        if m.type == 46 and (m.reference or {}).get("message_id") == str(message.id)
    ]


async def test_quick_poll_counts_votes_and_closes(
    community: LocalCommunity, clock: FakeClock
) -> None:
    sofia = community.as_member("sofia")
    posted = await sofia.slash(
        "poll quick", question="Coffee or tea?", answers="Coffee; Tea; Water", hours=2
    )
    message = posted.message
    assert message is not None and not message.ephemeral and message.poll is not None
    assert message.poll.answers == ["Coffee", "Tea", "Water"]
    await community.as_member("aino").vote_poll(message, ["Tea"])
    await community.as_member("marco").vote_poll(message, ["Tea"])
    await community.as_member("lena").vote_poll(message, ["Coffee"])
    await community.as_member("lena").vote_poll(message, ["Water"])  # a changed vote
    with pytest.raises(Exception, match="one answer"):
        await community.as_member("olli").vote_poll(message, ["Tea", "Water"])
    # The bot hears every vote over the gateway and keeps the counts on its cached message.
    assert community.bot is not None
    bot = community.bot
    heard = await community.sandbox.wait_until(
        lambda: next((m for m in bot.cached_messages if m.id == message.id), None)
    )
    assert heard.poll is not None
    assert [(a.text, a.vote_count) for a in heard.poll.answers] == [
        ("Coffee", 0),
        ("Tea", 2),
        ("Water", 1),
    ]
    # ... and Discord's message object carries the same counts.
    cached = bot.get_partial_messageable(message.channel_id)
    seen = await cached.fetch_message(message.id)
    assert seen.poll is not None
    assert [(a.text, a.vote_count) for a in seen.poll.answers] == [
        ("Coffee", 0),
        ("Tea", 2),
        ("Water", 1),
    ]
    assert not seen.poll.is_finalised()
    clock.advance(timedelta(hours=2))
    with pytest.raises(PollExpired):
        await community.as_member("olli").vote_poll(message, ["Tea"])
    again = await cached.fetch_message(message.id)
    assert again.poll is not None and again.poll.is_finalised()
    # At its expiry Discord posted the results under the poll, once.
    await cached.fetch_message(message.id)
    (results,) = [results_under(community, message)]
    assert len(results) == 1
    fields = {f["name"]: f["value"] for f in results[0].embeds[0]["fields"]}
    assert fields["victor_answer_text"] == "Tea" and fields["total_votes"] == "3"


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"answers": "Only"}, "2 to 10 answers"),
        ({"answers": ";".join(f"a{i}" for i in range(11))}, "2 to 10 answers"),
        ({"answers": "Yes; " + "n" * 56}, "56 characters"),
        ({"answers": "Yes; yes"}, "listed twice"),
        ({"answers": "Yes; No", "hours": 769}, "1 to 768 hours"),
    ],
)
async def test_quick_poll_refusals(
    community: LocalCommunity, options: dict[str, object], fragment: str
) -> None:
    refused = await community.as_member("sofia").slash("poll quick", question="Q?", **options)
    assert refused.ephemeral and fragment in refused.content


async def test_quick_poll_is_for_organisers(community: LocalCommunity) -> None:
    refused = await community.as_member("marco").slash("poll quick", question="Q?", answers="a;b")
    assert "Only organisers" in refused.content


async def test_its_creator_ends_a_quick_poll_early(community: LocalCommunity) -> None:
    posted = await community.as_member("olli").slash(
        "poll quick", question="Coffee or tea?", answers="Coffee; Tea; Water", hours=24
    )
    message = posted.message
    assert message is not None and labels(message) == ["End now", "Voters (CSV)"]
    await community.as_member("aino").vote_poll(message, ["Tea"])
    await community.as_member("marco").vote_poll(message, ["Tea"])
    await community.as_member("lena").vote_poll(message, ["Coffee"])
    # A member who neither posted it nor organises cannot end it; nothing changes.
    refused = await community.as_member("marco").click(message, "End now")
    assert refused.ephemeral and "end this poll" in refused.content
    assert message.poll is not None and not message.poll.finalized(community.sandbox.backend.now())
    assert results_under(community, message) == []
    # Its creator ends it: Discord makes the counts final and posts the results under it.
    await community.as_member("olli").click(message, "End now")
    assert message.poll.finalized(community.sandbox.backend.now())
    assert labels(message) == ["Voters (CSV)"]
    (result,) = results_under(community, message)
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    assert fields["victor_answer_text"] == "Tea" and fields["victor_answer_votes"] == "2"
    assert fields["total_votes"] == "3"
    with pytest.raises(PollExpired):
        await community.as_member("aino").vote_poll(message, ["Water"])


async def test_an_organiser_ends_it_once(community: LocalCommunity) -> None:
    posted = await community.as_member("olli").slash(
        "poll quick", question="Lunch?", answers="Yes; No"
    )
    message = posted.message
    assert message is not None
    stale = list(message.components)  # a member's Discord still showing End now
    await community.as_member("sofia").click(message, "End now")
    message.components = stale
    again = await community.as_member("sofia").click(message, "End now")
    assert "already ended" in " ".join(m.content for m in [again.message, *again.followups] if m)
    assert len(results_under(community, message)) == 1


async def test_voters_of_a_quick_poll_as_a_file(tmp_path: Path, clock: FakeClock) -> None:
    """Every voter of each answer, read from Discord 100 at a time (more than a page here)."""
    crowd = {f"member{i:03d}": ((), "en-GB") for i in range(130)}
    async with local_community(
        tmp_path, clock=clock, members=DEFAULT_MEMBERS | crowd, polls={"message_refresh_seconds": 0}
    ) as community:
        posted = await community.as_member("sofia").slash(
            "poll quick", question="Coffee or tea?", answers="Coffee; Tea", multiple=True
        )
        message = posted.message
        assert message is not None
        for i, name in enumerate(crowd):
            await community.as_member(name).vote_poll(message, ["Tea", "Coffee"][: 1 + i % 2])
        refused = await community.as_member("marco").click(message, "Voters (CSV)")
        assert "see who voted in this poll" in refused.content and not refused.message.attachments
        listed = await community.as_member("sofia").click(message, "Voters (CSV)")
        answer = await listed.wait_followup()  # after "thinking…": a page of voters a request
        assert "195 votes" in answer.content
        (attached,) = answer.attachments
        rows = list(csv.reader(attached.data.decode("utf-8-sig").splitlines()))
        assert rows[0] == ["answer", "voter", "id"]
        tea = [r for r in rows[1:] if r[0] == "Tea"]
        coffee = [r for r in rows[1:] if r[0] == "Coffee"]
        assert len(tea) == 130 and len(coffee) == 65
        assert sorted(r[1] for r in tea) == sorted(name.capitalize() for name in crowd)
        assert len({r[2] for r in tea}) == 130  # each voter once per answer
