"""/poll quick: Discord's own poll, posted by the bot, voted on in the Discord client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox.errors import PollExpired


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
