"""Creating groups: role, channel and overwrites; who sees what; all or nothing; overflow."""

from __future__ import annotations

from bot.local import LocalCommunity
from bot.sandbox import permissions as perm
from bot.sandbox.models import CATEGORY
from tests.e2e.groups_helpers import (
    card,
    channel_of,
    create_group,
    fields,
    group_named,
    repo,
    role_of,
)


async def test_creation_provisions_role_channel_overwrites_and_card(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    result = await create_group(
        community,
        name_fi="Teollinen muutos",
        lead=community.members["olli"],
        visibility="private",
        joining="application",
    )
    assert "Created Industrial transition" in result.content
    group = await group_named(community, "Teollinen muutos")
    role, channel = role_of(community, group), channel_of(community, group)
    assert role.name == "Industrial transition"
    assert channel.name == "industrial-transition"
    category = sb.backend.channels[channel.parent_id]  # type: ignore[index]
    assert (category.type, category.name) == (CATEGORY, "Working groups")
    # Overwrites on roles only: @everyone denied, the group's role, the secretariat, the bot's.
    everyone = community.guild.id
    assert not channel.overwrites[everyone].allow & perm.VIEW_CHANNEL
    assert channel.overwrites[everyone].deny & perm.VIEW_CHANNEL
    assert channel.overwrites[role.id].allow & perm.VIEW_CHANNEL
    assert channel.overwrites[community.roles["Secretariat"].id].allow & perm.VIEW_CHANNEL
    assert all(ow.type == 0 for ow in channel.overwrites.values())
    # The lead has the role and sees the channel; an outsider does not.
    assert role.id in community.members["olli"].roles
    assert channel in sb.visible_channels(community.members["olli"])
    assert channel in sb.visible_channels(community.members["sofia"])  # secretariat
    assert channel not in sb.visible_channels(community.members["aino"])
    # The card in #groups names the lead and offers Apply (a private group takes applications).
    shown = card(community, group)
    assert shown.channel_id == community.channels["groups"].id
    assert "<@" + str(community.members["olli"].user.id) + ">" in fields(shown)["Leads"]
    labels = [c["label"] for c in shown.components[0]["components"]]
    assert labels == ["Apply", "Withdraw application", "Leave"]
    members = await repo(community).members(group.id)
    assert [(m.user_id, m.lead) for m in members] == [(community.members["olli"].user.id, True)]
    assert (await repo(community).sync_state(community.guild.id))[group.id] == {
        community.members["olli"].user.id: None
    }


async def test_join_by_card_gives_the_role_and_leave_takes_it(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)  # public and open: everyone reads, members write
    group = await group_named(community, "Industrial transition")
    channel = channel_of(community, group)
    marco = community.as_member("marco")
    assert (
        not perm.channel_permissions(community.guild, marco.user.id, channel) & perm.SEND_MESSAGES
    )
    joined = await marco.click(card(community, group), "Join")
    assert joined.ephemeral and "You joined Industrial transition" in joined.content
    role = role_of(community, group)
    await sb.wait_until(lambda: role.id in community.members["marco"].roles)
    assert perm.channel_permissions(community.guild, marco.user.id, channel) & perm.SEND_MESSAGES
    await sb.wait_until(lambda: fields(card(community, group))["Members"] == "2")
    again = await marco.slash("group join", group=str(group.id))
    assert "already a member" in again.content
    left = await marco.slash("group leave", group="industrial TRANSITION")
    assert "You left" in left.content
    await sb.wait_until(lambda: role.id not in community.members["marco"].roles)
    assert channel in sb.visible_channels(community.members["marco"])  # public: still reads
    assert (
        not perm.channel_permissions(community.guild, marco.user.id, channel) & perm.SEND_MESSAGES
    )
    assert await repo(community).membership(group.id, community.members["marco"].user.id) is None


async def test_a_private_group_cannot_be_joined_without_applying(
    community: LocalCommunity,
) -> None:
    refused = await create_group(community, visibility="private", joining="open")
    assert "private group takes members by application" in refused.content
    assert await repo(community).in_guild(community.guild.id) == []
    await create_group(community, visibility="private", joining="application")
    group = await group_named(community, "Industrial transition")
    walk_in = await community.as_member("marco").slash("group join", group=str(group.id))
    assert "by application" in walk_in.content
    assert channel_of(community, group) not in community.sandbox.visible_channels(
        community.members["marco"]
    )


async def test_finnish_member_sees_finnish(community: LocalCommunity) -> None:
    await create_group(community, name_fi="Teollinen muutos")
    group = await group_named(community, "Industrial transition")
    joined = await community.as_member("aino").click(card(community, group), "Join")
    assert "Liityit ryhmään Teollinen muutos" in joined.content


async def test_duplicate_names_and_non_organisers_are_refused(community: LocalCommunity) -> None:
    await create_group(community, name_fi="Teollinen muutos")
    again = await create_group(community, name="TEOLLINEN muutos")
    assert "already exists" in again.content and again.ephemeral
    refused = await create_group(community, member="aino", name="Other")
    assert "Vain" in refused.content  # aino speaks Finnish: only organisers may
    assert len(await repo(community).in_guild(community.guild.id)) == 1


async def test_a_failed_creation_leaves_nothing(community: LocalCommunity) -> None:
    sb = community.sandbox
    roles_before = set(community.guild.roles)
    channels_before = set(community.guild.channels)
    sb.set_bot_permissions(community.guild, perm.BOT_DEFAULT & ~perm.MANAGE_CHANNELS)
    result = await create_group(community)
    assert "Manage Channels" in result.content and "Nothing was created" in result.content
    assert set(community.guild.roles) == roles_before  # the role made first was removed again
    assert set(community.guild.channels) == channels_before
    assert await repo(community).in_guild(community.guild.id, archived=None) == []
    assert await repo(community).taken_keys(community.guild.id) == set()
    sb.set_bot_permissions(community.guild, perm.BOT_DEFAULT)
    assert "Created" in (await create_group(community)).content  # the name is free again


async def test_a_full_category_overflows_into_a_second(community: LocalCommunity) -> None:
    sb = community.sandbox
    first = sb.add_channel(community.guild, "Thematic partnerships", type=CATEGORY)
    for i in range(50):
        sb.add_channel(community.guild, f"old-{i}", parent=first)
    result = await create_group(community, name="Lapland tourism", kind="partnership")
    assert "Created" in result.content
    group = await group_named(community, "Lapland tourism")
    parent = sb.backend.channels[channel_of(community, group).parent_id]  # type: ignore[index]
    assert parent.name == "Thematic partnerships 2" and parent.type == CATEGORY
    await create_group(community, name="Arctic energy", kind="partnership")
    second = await group_named(community, "Arctic energy")
    assert channel_of(community, second).parent_id == parent.id


async def test_warned_at_80_percent_of_the_role_limit(community: LocalCommunity) -> None:
    sb = community.sandbox
    while len(community.guild.roles) < 199:
        sb.add_role(community.guild, f"r{len(community.guild.roles)}")
    result = await create_group(community)
    assert "200 of Discord's 250 roles" in result.content


async def test_help_lists_what_everyone_uses_before_the_leads_tools(
    community: LocalCommunity,
) -> None:
    shown = await community.as_member("marco").slash("help")
    assert shown.message is not None
    text = "\n".join(f["value"] for f in shown.message.embeds[0]["fields"])
    order = [text.index(f"`/group {name}`") for name in ("create", "join", "lead add", "announce")]
    assert order == sorted(order)
