"""Steps that poll tests share: create a poll as a member, find its message, vote."""

from __future__ import annotations

from typing import Any

from bot.local import LocalCommunity
from bot.sandbox.driver import InteractionResult
from bot.sandbox.limits import walk_components
from bot.sandbox.models import Message

EIGHT_ACTIONS = "\n".join(
    [
        "Peer review of regional strategies",
        "Matchmaking events",
        "Joint pilot projects",
        "Training for managing authorities",
        "Interregional investment pipeline",
        "Data and monitoring toolkit",
        "Stakeholder engagement guide",
        "Policy learning platform",
    ]
)


async def create_poll(
    community: LocalCommunity,
    member: str = "sofia",
    *,
    question: str = "Which support actions?",
    options: str = "Yes\nNo",
    description: str = "",
    **settings: Any,
) -> InteractionResult:
    """/poll create, then the form; returns the final answer (or the early refusal)."""
    settings.setdefault("channel", community.channels["announcements"])
    result = await community.as_member(member).slash("poll create", **settings)
    if result.modal is None:
        return result
    return await result.submit_modal(
        {"question": question, "options": options, "description": description}
    )


def poll_message(community: LocalCommunity, channel: str = "announcements") -> Message:
    """The newest poll message (a message with an embed) in the channel."""
    messages = community.sandbox.messages(community.channels[channel])
    return [m for m in messages if m.embeds][-1]


def fields(message: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message.embeds[0].get("fields", [])}


async def vote(
    community: LocalCommunity, member: str, choices: list[str], channel: str = "announcements"
) -> InteractionResult:
    """Press Vote and choose ``choices`` in the ballot's select (choice polls)."""
    ballot = await community.as_member(member).click(poll_message(community, channel), "Vote")
    assert ballot.message is not None, ballot.content
    return await community.as_member(member).select(ballot.message, choices)


async def rank(
    community: LocalCommunity, member: str, order: list[str], channel: str = "announcements"
) -> InteractionResult:
    """Press Vote, pick ``order`` one at a time, then Done (ranked polls)."""
    driver = community.as_member(member)
    step = await driver.click(poll_message(community, channel), "Vote")
    assert step.message is not None, step.content
    for option in order:
        step = await driver.select(step.message, [option])
        assert step.message is not None, step.content
    done = next(
        c["custom_id"]
        for c in walk_components(step.message.components)
        if ":done:" in c.get("custom_id", "")
    )
    return await driver.click(step.message, custom_id=done)
