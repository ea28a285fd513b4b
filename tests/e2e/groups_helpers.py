"""Steps group tests share: create a group as a member, find its card, role and channel."""

from __future__ import annotations

from typing import Any

from bot.local import LocalCommunity
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Channel, Message, Role
from db.groups import GroupRecord, Groups

DEFAULTS: dict[str, Any] = {
    "name": "Industrial transition",
    "kind": "working_group",
    "description": "Regions in industrial transition",
    "joining": "open",
    "visibility": "public",
}


async def create_group(
    community: LocalCommunity, member: str = "sofia", **options: Any
) -> InteractionResult:
    merged = {k: v for k, v in {**DEFAULTS, **options}.items() if v is not None}
    result = await community.as_member(member).slash("group create", **merged)
    if result.message is not None and result.message.flags & (1 << 7):  # deferred: wait for it
        await result.wait_edit()
    return result


def repo(community: LocalCommunity) -> Groups:
    assert community.db is not None
    return Groups(community.db)


async def group_named(community: LocalCommunity, name: str) -> GroupRecord:
    guild = community.guild
    found = await repo(community).by_key(guild.id, name.casefold())
    assert found is not None, f"no group {name}"
    return found


def role_of(community: LocalCommunity, group: GroupRecord) -> Role:
    return community.guild.roles[group.role_id]


def channel_of(community: LocalCommunity, group: GroupRecord) -> Channel:
    return community.sandbox.backend.channels[group.channel_id]


def card(community: LocalCommunity, group: GroupRecord) -> Message:
    return community.sandbox.backend.messages[group.card_message_id]


def fields(message: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message.embeds[0].get("fields", [])}
