"""Renaming and editing groups, paged member lists, a deleted role, and the card under a burst."""

from __future__ import annotations

import asyncio

from bot.local import LocalCommunity
from bot.sandbox import permissions as perm
from tests.e2e.groups_helpers import (
    card,
    channel_of,
    create_group,
    fields,
    group_named,
    repo,
    role_of,
)


async def test_rename_and_edit_follow_in_discord(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)
    await create_group(community, name="Tourism")
    group = await group_named(community, "Industrial transition")
    sofia = community.as_member("sofia")
    taken = await sofia.slash("group rename", group=str(group.id), name="TOURISM")
    assert "already exists" in taken.content
    done = await sofia.slash(
        "group rename", group=str(group.id), name="Industrial change", name_fi="Teollinen muutos"
    )
    await done.wait_edit()
    assert "Renamed Industrial transition to Industrial change" in done.content
    assert role_of(community, group).name == "Industrial change"
    assert channel_of(community, group).name == "industrial-change"
    assert await group_named(community, "teollinen muutos") is not None
    refused = await sofia.slash("group edit", group=str(group.id), visibility="private")
    assert "private group takes members by application" in refused.content
    edited = await sofia.slash(
        "group edit",
        group=str(group.id),
        visibility="private",
        joining="application",
        description="Now members only",
    )
    await community.sandbox.wait_until(lambda: "is updated" in edited.content)
    channel = channel_of(community, group)
    assert channel.topic == "Now members only"
    assert channel not in sb.visible_channels(community.members["marco"])
    await sb.wait_until(
        lambda: card(community, group).embeds[0].get("title") == "Industrial change"
    )
    labels = [c["label"] for c in card(community, group).components[0]["components"]]
    assert labels == ["Apply", "Withdraw application", "Leave"]


async def test_members_are_paged_with_their_regions(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    for i in range(25):
        member = sb.add_member(community.guild, f"m{i}")
        await sb.as_member(member).slash("group join", group=str(group.id))
    await community.as_member("olli").slash("group join", group=str(group.id))
    await community.as_member("olli").slash("profile set", country="FI", region="FI-10")
    first = await community.as_member("marco").slash("group members", group=str(group.id))
    assert "page 1 of 2" in first.message.embeds[0]["title"]  # type: ignore[union-attr]
    second = await community.as_member("marco").slash("group members", group=str(group.id), page=2)
    text = "".join(r.message.embeds[0]["description"] for r in (first, second))  # type: ignore[union-attr]
    assert "Lapland (Lappi)" in text and text.count("<@") == 27
    assert len(await repo(community).members(group.id)) == 27
    # Previous / Next page in place, and still after a restart; a page past the end is the last.
    marco = community.as_member("marco")
    assert first.message is not None and second.message is not None
    page_one = first.message.embeds[0]["description"]
    assert page_one != second.message.embeds[0]["description"]
    turned = await marco.click(first.message, "Next ▶")
    assert turned.kind == "update"
    page = sb.backend.messages[first.message.id]
    assert page.embeds[0]["title"].endswith("(page 2 of 2)")
    assert page.embeds[0]["description"] == second.message.embeds[0]["description"]
    await community.restart_bot()
    await marco.click(page, "◀ Previous")
    back = sb.backend.messages[first.message.id]
    assert back.embeds[0]["title"].endswith("(page 1 of 2)")
    assert back.embeds[0]["description"] == page_one
    beyond = await marco.slash("group members", group=str(group.id), page=9)
    assert beyond.message is not None and "(page 2 of 2)" in beyond.message.embeds[0]["title"]
    assert beyond.message.embeds[0]["description"] == second.message.embeds[0]["description"]


async def test_a_role_deleted_by_hand_is_reported_and_recreated_for_every_member(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    await community.as_member("marco").slash("group join", group=str(group.id))
    sb.delete_role(role_of(community, group))
    report = await sb.wait_for_message(community.channels["admin-log"])
    assert "role" in report.content and "Industrial transition" in report.content
    outsider = await community.as_member("marco").click(report, "Recreate")
    assert "Only" in outsider.content
    fixed = await community.as_member("sofia").click(report, "Recreate")
    await fixed.wait_edit()
    assert "2 members got the role back" in fixed.content
    renewed = await group_named(community, "Industrial transition")
    role = role_of(community, renewed)
    assert role.id in community.members["marco"].roles
    channel = channel_of(community, renewed)
    marco = community.members["marco"].user.id
    assert perm.channel_permissions(community.guild, marco, channel) & perm.SEND_MESSAGES


async def test_a_burst_of_joins_edits_the_card_a_few_times_not_once_each(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    shown = card(community, group)
    edits = shown.edits
    people = [sb.add_member(community.guild, f"p{i}") for i in range(20)]
    await asyncio.gather(*(sb.as_member(p).click(shown, "Join") for p in people))
    await sb.wait_until(lambda: fields(card(community, group))["Members"] == "21")
    assert card(community, group).edits - edits <= 3


async def test_a_role_moved_above_the_bots_is_reported_once_and_finished_later(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    role = role_of(community, group)
    bot_role = sb.backend.bot_role(community.guild)
    sb.move_role(role, bot_role.position + 1)  # an admin drags it above the bot's role
    for name in ("marco", "lena"):
        joined = await community.as_member(name).slash("group join", group=str(group.id))
        assert "You joined" in joined.content  # the member's answer does not wait for Discord
    log = await sb.wait_until(lambda: sb.messages(community.channels["admin-log"]))
    assert "move it above the group's role" in log[0].content
    await asyncio.sleep(0.05)
    assert len(sb.messages(community.channels["admin-log"])) == 1
    state = await repo(community).sync_state(community.guild.id)
    assert state[group.id][community.members["marco"].user.id] == "add"
    sb.move_role(bot_role, role.position + 1)  # fixed: the next start gives the roles
    await community.restart_bot()
    await sb.wait_until(lambda: role.id in community.members["lena"].roles)
    assert role.id in community.members["marco"].roles


async def test_rename_keeps_the_finnish_name_and_a_refusal_keeps_every_old_name(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(community, name_fi="Teollinen muutos")
    group = await group_named(community, "Industrial transition")
    sofia = community.as_member("sofia")
    done = await sofia.slash("group rename", group=str(group.id), name="Industrial change")
    await done.wait_edit()
    renamed = await group_named(community, "teollinen muutos")
    assert (renamed.name, renamed.name_fi) == ("Industrial change", "Teollinen muutos")
    # Discord refuses the channel's new name after the role took it: the role gets its old
    # name back, as the group keeps its names.
    channel = channel_of(community, group)
    sb.set_overwrite(channel, sb.backend.bot_role(community.guild), deny=perm.MANAGE_CHANNELS)
    refused = await sofia.slash("group rename", group=str(group.id), name="Industry")
    await refused.wait_edit()
    assert "keeps its old name" in refused.content, refused.content
    assert role_of(community, group).name == "Industrial change"
    assert channel.name == "industrial-change"
    kept = await group_named(community, "industrial change")
    assert (kept.name, kept.name_fi) == ("Industrial change", "Teollinen muutos")


async def test_refusals_name_a_group_in_the_members_language(community: LocalCommunity) -> None:
    """A group with a Finnish name is named in Finnish to Finnish members and in English to
    the others, in every refusal: from the service, the rules of who may act, the region tools."""
    await create_group(community, name_fi="Teollinen muutos", joining="application")
    group = await group_named(community, "Industrial transition")
    cases = [
        ("group join", {"group": str(group.id)}),  # the service: it takes applications
        ("group member add", {"group": str(group.id), "member": community.members["lena"]}),
        ("group unarchive", {"group": str(group.id)}),  # the organisers' tools (olli, sofia)
    ]
    for command, options in cases:
        for member, name, other in (
            ("aino", "Teollinen muutos", "Industrial transition"),
            ("marco", "Industrial transition", "Teollinen muutos"),
        ):
            if command == "group unarchive":
                member = {"aino": "olli", "marco": "sofia"}[member]
            answer = await community.as_member(member).slash(command, **options)
            if answer.message is not None and answer.message.flags & (1 << 7):
                await answer.wait_edit()
            assert name in answer.content and other not in answer.content, (
                command,
                member,
                answer.content,
            )
