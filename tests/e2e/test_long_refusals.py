"""Every refusal reaches the member, however long what they typed: Discord refuses a message
past 2,000 characters outright, and a string option may carry 6,000."""

from __future__ import annotations

from bot.answering import CONTENT_MAX, clip
from bot.local import LocalCommunity


async def test_a_refusal_quoting_3000_typed_characters_still_reaches_the_member(
    community: LocalCommunity,
) -> None:
    typed = "x" * 3000
    refused = await community.as_member("sofia").slash("timezone set", zone=typed)
    assert refused.ephemeral
    assert "is not a time zone I know" in refused.content
    assert "x" * 199 + "…" in refused.content and "x" * 200 not in refused.content
    assert len(refused.content) <= CONTENT_MAX


def test_clip_cuts_only_what_is_too_long() -> None:
    assert clip("short", 10) == "short"
    assert clip("x" * 10, 10) == "x" * 10
    assert clip("x" * 11, 10) == "x" * 9 + "…"
