"""A group's events: its channel and role, its leads as organisers, /event list by group."""

from __future__ import annotations

from bot.local import LocalCommunity
from tests.e2e.events_helpers import create_event
from tests.e2e.groups_helpers import channel_of, create_group, group_named


async def test_a_lead_creates_a_group_event_in_its_channel_for_its_role(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(  # lena is no organiser
        community, lead=community.members["lena"], visibility="private", joining="application"
    )
    group = await group_named(community, "Industrial transition")
    await community.as_member("lena").slash(
        "group member add", group=str(group.id), member=community.members["marco"]
    )
    refused = await create_event(community, "lena", title="Without the group")
    assert "Only" in refused.content and refused.modal is None
    done = await create_event(community, "lena", title="WG kick-off", group=str(group.id))
    assert done.ephemeral, done.content
    channel = channel_of(community, group)
    [announcement] = [m for m in sb.messages(channel) if m.embeds]
    assert announcement.embeds[0]["title"] == "WG kick-off"
    assert f"<@&{group.role_id}>" in announcement.content  # the group's role is the audience
    # Members of the private group see it; others do not.
    assert announcement in community.as_member("marco").read(channel)
    assert channel not in sb.visible_channels(community.members["aino"])
    # Not a lead of another group: refused there.
    await create_group(community, name="Arctic tourism", kind="partnership")
    other = await group_named(community, "Arctic tourism")
    elsewhere = await create_event(community, "lena", title="Not mine", group=str(other.id))
    assert "Only" in elsewhere.content
    # The lead edits and cancels the group's event; /event list filters by group.
    assert community.db is not None
    row = await community.db.fetchone("SELECT id FROM events WHERE title = 'WG kick-off'")
    assert row is not None
    edited = await community.as_member("lena").slash("event edit", event=row[0], title="WG start")
    assert "Only" not in edited.content
    await create_event(community, "sofia", title="Plenary")
    mine = await community.as_member("marco").slash("event list", group="Industrial transition")
    listed = str(mine.message.embeds) if mine.message else ""  # type: ignore[union-attr]
    assert "WG start" in listed and "Plenary" not in listed
    info = await community.as_member("marco").slash("group info", group=str(group.id))
    assert "WG start" in str(info.message.embeds)  # type: ignore[union-attr]
    assert "Plenary" not in str(info.message.embeds)  # type: ignore[union-attr]
    everything = await community.as_member("marco").slash("event list")
    assert "Plenary" in str(everything.message.embeds)  # type: ignore[union-attr]
    # A private group's events are its members' business: /group info lists them to those who
    # read its channel (members, the secretariat), not to others.
    outsider = await community.as_member("aino").slash("group info", group=str(group.id))
    assert outsider.message is not None
    assert "WG start" not in str(outsider.message.embeds)
    secretariat = await community.as_member("sofia").slash("group info", group=str(group.id))
    assert "WG start" in str(secretariat.message.embeds)  # type: ignore[union-attr]
