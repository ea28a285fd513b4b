"""Shared steps for the support tests: ask through the form, find the thread and the card."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.local import LocalCommunity
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Channel, Message
from db.support import SupportRequest, SupportRequests

FORM = {
    "topic": "Smart specialisation strategy review",
    "need": "We are revising our S3 and need an expert on monitoring indicators.",
    "region": "Lapland",
}


async def ask(community: LocalCommunity, member: str = "aino", **fields: Any) -> InteractionResult:
    """``/support request`` and the form; returns the form's (deferred) answer."""
    opened = await community.as_member(member).slash("support request")
    assert opened.modal is not None, opened.content
    return await opened.submit_modal(FORM | fields)


async def ask_and_read(community: LocalCommunity, member: str = "aino", **fields: Any) -> str:
    """Ask, and return what the member is finally told."""
    result = await ask(community, member, **fields)
    return (await result.wait_followup()).content


def threads(community: LocalCommunity) -> list[Channel]:
    return community.sandbox.threads(community.channels["support"])


def cards(community: LocalCommunity) -> list[Message]:
    """Cards in the triage channel (messages with embeds), latest state."""
    triage = community.channels["support-triage"]
    return [m for m in community.sandbox.messages(triage) if m.embeds]


def card_fields(card: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in card.embeds[0].get("fields", [])}


def buttons(message: Message) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"]]


def triage_lines(community: LocalCommunity) -> list[str]:
    """Plain lines in the triage channel (not cards)."""
    triage = community.channels["support-triage"]
    return [m.content for m in community.sandbox.messages(triage) if not m.embeds]


def dm_texts(community: LocalCommunity, member: str) -> list[str]:
    return [m.content for m in community.sandbox.dms(community.members[member])]


async def stored_when(
    community: LocalCommunity,
    request_id: int,
    condition: Callable[[SupportRequest], bool],
    limit: float = 5.0,
) -> SupportRequest:
    """The stored request once ``condition`` holds (the bot writes after Discord's event)."""
    assert community.db is not None
    repo = SupportRequests(community.db)
    for _tick in range(int(limit / 0.01)):
        found = await repo.get(request_id)
        if found is not None and condition(found):
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"request #{request_id} never reached the expected state")
