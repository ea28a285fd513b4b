"""Reminders and notices by DM go only to members who can still see the event's channel: leaving
a private group ends its reminders and notices (the answer stays, as the member gave it, so a
place that opens still goes to the next on the waitlist, silently if they can no longer see the
event: what is posted in a private channel is not told outside it)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import confirmed, create_event, dm_containing
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


async def test_a_member_who_left_a_private_group_hears_nothing_of_its_events(
    community: LocalCommunity,
) -> None:
    await create_group(
        community, lead=community.members["lena"], visibility="private", joining="application"
    )
    group = await group_named(community, "Industrial transition")
    lena, marco, aino = (community.as_member(n) for n in ("lena", "marco", "aino"))
    for member in ("marco", "aino"):
        await lena.slash("group member add", group=str(group.id), member=community.members[member])
    await create_event(
        community, "lena", title="WG meeting", group=str(group.id), start="in 3 hours", capacity=1
    )
    channel = channel_of(community, group)
    await community.sandbox.wait_until(
        lambda: all(
            channel in community.sandbox.visible_channels(community.members[m])
            for m in ("marco", "aino")
        )
    )
    [message] = [m for m in community.sandbox.messages(channel) if m.embeds]
    await lena.click(message, "Going")
    await marco.click(message, "Going")  # waitlisted
    await aino.click(message, "Going")  # waitlisted after Marco
    await marco.slash("group leave", group=str(group.id))
    await community.sandbox.wait_until(
        lambda: channel not in community.sandbox.visible_channels(community.members["marco"])
    )

    await lena.click(message, "Can't go")  # Marco moves up: his place, but no word of it
    await lena.slash("event edit", event=1, title="WG meeting (room B)")
    await confirmed(lena, "event cancel", event=1)
    await dm_containing(community, "aino", "❌")  # in Finnish, her language
    assert community.sandbox.dms(community.members["marco"]) == []
