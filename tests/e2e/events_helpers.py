"""Steps that many event tests share: create an event as a member, find its announcement."""

from __future__ import annotations

from typing import Any

from bot.local import LocalCommunity
from bot.sandbox.driver import InteractionResult, MemberDriver
from bot.sandbox.models import Message

DEFAULTS: dict[str, Any] = {
    "title": "Kick-off",
    "start": "2026-12-03 14:00",
    "format": "online",
    "link": "https://meet.example.org/kickoff",
}


async def create_event(
    community: LocalCommunity, member: str = "sofia", description: str = "", **options: Any
) -> InteractionResult:
    """/event create, then the description modal; returns the final answer."""
    merged = {k: v for k, v in {**DEFAULTS, **options}.items() if v is not None}
    result = await community.as_member(member).slash("event create", **merged)
    if result.modal is None:
        return result  # refused before the modal: the test reads the message
    return await result.submit_modal({"description": description})


def announcement(community: LocalCommunity, channel: str = "events") -> Message:
    """The newest announcement (a message with an embed) in the events channel."""
    messages = community.sandbox.messages(community.channels[channel])
    return [m for m in messages if m.embeds][-1]


def fields(message: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message.embeds[0].get("fields", [])}


async def event_rows(community: LocalCommunity) -> int:
    assert community.db is not None
    row = await community.db.fetchone("SELECT count(*) FROM events")
    return int(row[0]) if row else 0


async def dm_containing(community: LocalCommunity, member: str, text: str) -> Message:
    """Wait (bounded) until the member has a DM from the bot containing ``text``."""

    def found() -> Message | None:
        dms = community.sandbox.dms(community.members[member])
        return next((m for m in dms if text in m.content), None)

    message: Message = await community.sandbox.wait_until(found)
    return message


async def confirmed(asker: MemberDriver, command: str, **options: Any) -> InteractionResult:
    """A command that asks first (/event cancel, /poll close), answered with its first button
    (the one that acts); returns the press's answer, or the refusal when nothing was asked."""
    asked = await asker.slash(command, **options)
    if asked.message is None or not asked.message.components:
        return asked
    label = asked.message.components[0]["components"][0]["label"]
    done = await asker.click(asked.message, label)
    if done.message is not None and done.message.components and not done.followups:
        await done.wait_edit(timeout=15)  # deferred: the question becomes the outcome
    return done
