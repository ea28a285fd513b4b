"""The public announcement as members see it: one edit per burst of answers, mentions limited to
the audience role, and what stays on it when it is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community
from tests.e2e.events_helpers import announcement, create_event, fields

REFRESH = 0.5  # the default announcement_refresh_seconds


@pytest.fixture
async def paced(tmp_path: Path, clock: FakeClock) -> AsyncIterator[LocalCommunity]:
    """A community with the announcement refresh at its default, as in production."""
    events = {"announcement_refresh_seconds": REFRESH}
    async with local_community(tmp_path, clock=clock, events=events) as running:
        yield running


async def test_a_burst_longer_than_the_refresh_delay_is_one_edit(paced: LocalCommunity) -> None:
    """Clicks keep coming for longer than the refresh delay, never pausing that long: the
    announcement is edited once, after the burst, with every answer counted. (Editing a fixed
    delay after the first click, as before, gave one edit per delay the burst lasted.)"""
    await create_event(paced, capacity=1000)
    message = announcement(paced)
    crowd = [
        paced.sandbox.add_member(paced.guild, f"crowd{i:03d}", locale="en-GB") for i in range(120)
    ]
    waves = [crowd[i : i + 12] for i in range(0, len(crowd), 12)]
    loop = asyncio.get_running_loop()
    began = loop.time()
    for wave in waves:
        await asyncio.gather(*(paced.sandbox.as_member(m).click(message, "Going") for m in wave))
        await asyncio.sleep(REFRESH / 6)
    assert loop.time() - began > REFRESH * 1.5  # the burst outlasts the delay
    await paced.sandbox.wait_until(
        lambda: fields(announcement(paced))["Answers"].startswith("Going: 120 ")
    )
    await asyncio.sleep(REFRESH * 2)  # a second edit, if any, would come within this
    assert announcement(paced).edits == 1


async def test_the_announcement_may_ping_its_audience_role_only(
    community: LocalCommunity,
) -> None:
    """The payload the sandbox received, on the post and on every edit: allowed_mentions
    names the audience role by id and parses nothing (no @everyone, no users, no other roles);
    the announcement notified that role only."""
    role = community.roles["Organisers"]
    await create_event(
        community,
        title="@everyone come",
        description=f"Hosted by <@{community.members['aino'].user.id}> for <@&{role.id}> @here",
        audience=role,
    )
    await community.as_member("aino").click(announcement(community), "Going")
    await community.sandbox.wait_until(lambda: announcement(community).edits >= 1)
    message = announcement(community)
    assert message.content == f"<@&{role.id}>"
    expected = {"parse": [], "roles": [role.id]}
    assert len(message.mention_rules) == 1 + message.edits
    assert all(rules == expected for rules in message.mention_rules), message.mention_rules
    assert message.notified() == (False, {role.id}, set())


async def test_without_an_audience_the_announcement_pings_nobody(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    message = announcement(community)
    assert message.mention_rules == [{"parse": []}]
    assert message.notified() == (False, set(), set())
