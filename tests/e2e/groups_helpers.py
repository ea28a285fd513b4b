"""Steps group tests share: create a group as a member, find its card, role and channel."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.local import LocalCommunity
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Channel, Member, Message, Role
from cogs.groups._reconcile import RECONCILED, SETTLED
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


class Reconciles:
    """The groups' reconciles as the bot logs them for its operator: what each did, and when
    all were done (a test's view of them without reaching into the groups service)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.INFO, logger="cogs.groups")
        self.caplog = caplog

    def counts(self) -> list[dict[str, int]]:
        """What each reconcile so far did (given, taken, read back...), in order."""
        found = []
        for record in self.caplog.records:
            if record.msg == RECONCILED and isinstance(record.args, tuple):
                _guild, counts = record.args
                assert isinstance(counts, dict)
                found.append(counts)
        return found

    def settled(self) -> int:
        """How many times every server was reconciled (at start, and after a new session)."""
        return sum(r.msg == SETTLED for r in self.caplog.records)

    async def next_counts(self, community: LocalCommunity, seen: int) -> dict[str, int]:
        """The counts of the first reconcile after the ``seen`` ones, waited for."""
        later: list[dict[str, int]] = await community.sandbox.wait_until(
            lambda: self.counts()[seen:]
        )
        return later[0]

    async def next_settled(
        self,
        community: LocalCommunity,
        seen: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded, as the sandbox's own waits
    ) -> None:
        """Wait until every server was reconciled again after the ``seen`` times."""
        await community.sandbox.wait_until(lambda: self.settled() > seen, timeout=timeout)


async def speak(community: LocalCommunity, *names: str) -> None:
    """Members who used the bot once get DMs in their own language later."""
    for name in names:
        await community.as_member(name).slash("group list")
    assert community.bot is not None
    await community.bot.members.flush()


async def partnership(
    community: LocalCommunity, lead: Member, name: str = "Lapland tourism", **options: Any
) -> GroupRecord:
    """A partnership that takes members by application, private unless ``options`` say
    otherwise, led by ``lead``: its record."""
    settings = {"visibility": "private", **options}
    await create_group(
        community, name=name, kind="partnership", joining="application", lead=lead, **settings
    )
    return await group_named(community, name)


async def send_application(
    community: LocalCommunity, member: str, group_id: int, **fields: str
) -> InteractionResult:
    """``member`` opens the application form of the group and sends ``fields``; the answer."""
    form = await community.as_member(member).slash("group apply", group=str(group_id))
    assert form.modal is not None, form.content
    return await form.submit_modal(fields)


async def application_group(community: LocalCommunity) -> None:
    """The partnership Lapland tourism, private, by application: Olli (in Finnish) and Sofia
    lead it."""
    await speak(community, "olli")
    group = await partnership(community, community.members["olli"])
    olli = community.as_member("olli")
    for command in ("group member add", "group lead add"):
        done = await olli.slash(command, group=str(group.id), member=community.members["sofia"])
        assert done.ephemeral and "Sofia" in done.content, done.content


async def apply(community: LocalCommunity, member: str, group_id: int) -> None:
    """``member`` applies to the group with the form."""
    sent = await send_application(
        community,
        member,
        group_id,
        motivation="We run the Arctic tourism cluster",
        organisation="Lapin liitto",
    )
    assert sent.ephemeral


def lead_copy(community: LocalCommunity, lead: str) -> Message:
    """The latest copy of an application (with its buttons) a lead got by DM."""
    return [m for m in community.sandbox.dms(community.members[lead]) if m.embeds][-1]
