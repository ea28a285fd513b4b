"""Reminders by DM go only to members who can still see the event's channel: leaving a private
group ends its reminders (the answer stays, as the member gave it)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import create_event
from tests.e2e.groups_helpers import channel_of, create_group, group_named


async def test_a_member_who_left_a_private_group_gets_no_more_reminders(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_group(
        community, lead=community.members["lena"], visibility="private", joining="application"
    )
    group = await group_named(community, "Industrial transition")
    lena, marco = community.as_member("lena"), community.as_member("marco")
    await lena.slash("group member add", group=str(group.id), member=community.members["marco"])
    await create_event(
        community,
        "lena",
        title="WG meeting",
        group=str(group.id),
        start="in 3 hours",
        reminders="1h",
    )
    channel = channel_of(community, group)
    [message] = [m for m in community.sandbox.messages(channel) if m.embeds]
    await lena.click(message, "Going")
    await marco.click(message, "Going")
    await marco.slash("group leave", group=str(group.id))
    await community.sandbox.wait_until(
        lambda: channel not in community.sandbox.visible_channels(community.members["marco"])
    )

    clock.advance(timedelta(hours=2))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    reminded = [m for m in community.sandbox.dms(community.members["lena"]) if "⏰" in m.content]
    assert len(reminded) == 1 and "WG meeting" in reminded[0].content
    assert not [m for m in community.sandbox.dms(community.members["marco"]) if "⏰" in m.content]
