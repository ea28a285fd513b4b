"""Applications, leads deciding, roles changed by hand, reconcile after a restart, archive."""

from __future__ import annotations

import asyncio

import pytest

from bot.local import LocalCommunity
from bot.sandbox.models import Member
from db import groups as stored_groups
from tests.e2e.events_helpers import dm_containing
from tests.e2e.groups_helpers import (
    Reconciles,
    application_group,
    apply,
    card,
    channel_of,
    create_group,
    fields,
    group_named,
    lead_copy,
    partnership,
    repo,
    role_of,
    speak,
)


async def test_application_from_form_to_dm(community: LocalCommunity) -> None:
    sb = community.sandbox
    await speak(community, "olli")
    group = await partnership(community, community.members["olli"])
    marco = community.as_member("marco")
    refused = await marco.slash("group join", group=str(group.id))
    assert "by application" in refused.content
    await apply(community, "marco", group.id)
    second = await marco.slash("group apply", group=str(group.id))
    assert "already have a pending application" in second.content
    await sb.wait_until(
        lambda: "applications pending: 1" in fields(card(community, group))["Members"]
    )
    # olli, the lead, gets it by DM in Finnish with Approve / Decline.
    copy = await sb.wait_until(
        lambda: next((m for m in sb.dms(community.members["olli"]) if m.embeds), None)
    )
    assert copy.embeds[0]["title"] == "Hakemus ryhmään Lapland tourism"
    assert copy.embeds[0]["description"] == "We run the Arctic tourism cluster"
    olli = community.as_member("olli")
    # Declining needs a reason: the form asks for it.
    decline = await olli.click(copy, "Hylkää")
    assert decline.modal is not None
    approved = await olli.click(copy, "Hyväksy")
    assert approved.kind == "update"
    decided = sb.backend.messages[copy.id]
    assert decided.components == [] and "Hyväksyjä" in fields(decided)["Päätös"]
    welcome = await dm_containing(community, "marco", "was approved")
    assert "Lapland tourism" in welcome.content
    assert f"<#{group.channel_id}>" in welcome.content  # where to go now
    role = role_of(community, group)
    await sb.wait_until(lambda: role.id in community.members["marco"].roles)
    assert channel_of(community, group) in sb.visible_channels(community.members["marco"])
    # The reason form, submitted late, hears the decision was made.
    late = await decline.submit_modal({"reason": "full"})
    assert late.kind == "update"  # the copy shows the decision, and olli hears why
    assert "jo päätetty" in (await late.wait_followup()).content
    await sb.wait_until(
        lambda: "applications pending: 0" in fields(card(community, group))["Members"]
    )


async def test_two_leads_deciding_at_once(community: LocalCommunity) -> None:
    sb = community.sandbox
    await application_group(community)
    group = await group_named(community, "Lapland tourism")
    await apply(community, "marco", group.id)
    olli_copy = await sb.wait_until(
        lambda: next((m for m in sb.dms(community.members["olli"]) if m.embeds), None)
    )
    sofia_copy = await sb.wait_until(
        lambda: next((m for m in sb.dms(community.members["sofia"]) if m.embeds), None)
    )
    olli, sofia = community.as_member("olli"), community.as_member("sofia")
    declining = await sofia.click(sofia_copy, "Decline")
    assert declining.modal is not None
    first, second = await asyncio.gather(
        olli.click(olli_copy, "Hyväksy"), declining.submit_modal({"reason": "not a region"})
    )
    outcomes = sorted([first.kind, second.kind])
    application = await repo(community).pending(group.id, community.members["marco"].user.id)
    assert application is None
    row = await community.db.fetchone(  # type: ignore[union-attr]
        "SELECT status FROM applications WHERE group_id = ?", (group.id,)
    )
    assert row is not None and row[0] in ("approved", "declined")
    # One decided, the other heard it was already decided (and its copy shows the decision).
    assert outcomes.count("update") >= 1
    loser = second if row[0] == "approved" else first
    assert loser.kind == "update"  # its copy shows the decision made first
    told = (await loser.wait_followup()).content
    assert "already decided" in told or "jo päätetty" in told
    is_member = await repo(community).membership(group.id, community.members["marco"].user.id)
    assert (is_member is not None) == (row[0] == "approved")
    word = "was approved" if row[0] == "approved" else "was declined"
    await dm_containing(community, "marco", word)
    dms = [m.content for m in sb.dms(community.members["marco"]) if "Lapland" in m.content]
    assert len(dms) == 1  # told once


async def test_decline_tells_the_reason_and_withdraw(community: LocalCommunity) -> None:
    sb = community.sandbox
    await application_group(community)
    group = await group_named(community, "Lapland tourism")
    await apply(community, "marco", group.id)
    copy = await sb.wait_until(
        lambda: next((m for m in sb.dms(community.members["sofia"]) if m.embeds), None)
    )
    form = await community.as_member("sofia").click(copy, "Decline")
    done = await form.submit_modal({"reason": "Only regions in the partnership"})
    assert done.kind == "update"
    note = await dm_containing(community, "marco", "declined")
    assert "Only regions in the partnership" in note.content
    await apply(community, "lena", group.id)
    withdrawn = await community.as_member("lena").slash("group withdraw", group=str(group.id))
    assert "withdrawn" in withdrawn.content
    again = await community.as_member("lena").slash("group withdraw", group=str(group.id))
    assert "no pending application" in again.content
    # Lena's copy reaches the leads after her answer (DMs go out paced): wait for it.
    await sb.wait_until(
        lambda: len([m for m in sb.dms(community.members["olli"]) if m.embeds]) >= 2
    )
    olli_copy = lead_copy(community, "olli")
    late = await community.as_member("olli").click(olli_copy, "Hyväksy")
    assert "Hakija perui" in str(sb.backend.messages[olli_copy.id].embeds)
    assert "jo päätetty" in (await late.wait_followup()).content


async def test_a_role_removed_by_hand_ends_the_membership(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    await community.as_member("marco").slash("group join", group=str(group.id))
    role = role_of(community, group)
    marco = community.members["marco"]
    await sb.wait_until(lambda: role.id in marco.roles)
    await sb.wait_until(lambda: asyncio.ensure_future(asyncio.sleep(0)) and True)
    sb.take_role(marco, role)
    groups = repo(community)

    async def gone() -> bool:
        return await groups.membership(group.id, marco.user.id) is None

    for _ in range(200):
        if await gone():
            break
        await asyncio.sleep(0.01)
    assert await gone()
    sb.give_role(community.members["lena"], role)  # given by hand: a new member
    for _ in range(200):
        if await groups.membership(group.id, community.members["lena"].user.id):
            break
        await asyncio.sleep(0.01)
    assert await groups.membership(group.id, community.members["lena"].user.id) is not None
    assert sb.messages(community.channels["admin-log"]) == []
    sb.member_leaves(community.members["lena"])  # leaving the server leaves its groups
    for _ in range(200):
        if await groups.membership(group.id, community.members["lena"].user.id) is None:
            break
        await asyncio.sleep(0.01)
    assert await groups.membership(group.id, community.members["lena"].user.id) is None


async def test_reconcile_after_changes_made_while_the_bot_was_down(
    community: LocalCommunity, caplog: pytest.LogCaptureFixture
) -> None:
    sb = community.sandbox
    reconciles = Reconciles(caplog)
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    for name in ("marco", "lena"):
        await community.as_member(name).slash("group join", group=str(group.id))
    role = role_of(community, group)
    await sb.wait_until(lambda: role.id in community.members["lena"].roles)
    await community.stop_bot()
    # While the bot is down: an admin takes marco's role and gives aino one by hand, and the
    # bot's own write for lena's leave never reached Discord (pending 'remove', role still on).
    sb.take_role(community.members["marco"], role)
    sb.give_role(community.members["aino"], role)
    seen = len(reconciles.counts())
    await community.start_bot()
    counts = await reconciles.next_counts(community, seen)
    assert counts["read_back"] == 2 and counts["given"] == counts["taken"] == 0
    assert community.db is not None
    await community.db.write(
        stored_groups.remove_member, group.id, community.members["lena"].user.id
    )
    seen = len(reconciles.counts())
    await community.restart_bot()
    counts = await reconciles.next_counts(community, seen)
    groups = repo(community)
    assert counts["taken"] == 1 and counts["given"] == 0
    members = {m.user_id for m in await groups.members(group.id)}
    expected = {community.members[n].user.id for n in ("sofia", "aino")}
    assert members == expected
    assert role.id not in community.members["lena"].roles
    state = await groups.sync_state(community.guild.id)
    assert set(state[group.id].values()) == {None}


async def test_deleted_channel_is_reported_once_and_recreated(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    await community.as_member("marco").slash("group join", group=str(group.id))
    sb.delete_channel(channel_of(community, group))
    report = await sb.wait_for_message(community.channels["admin-log"])
    assert "Industrial transition" in report.content
    await community.restart_bot()
    assert len(sb.messages(community.channels["admin-log"])) == 1  # once, not again at start
    fixed = await community.as_member("sofia").click(report, "Recreate")
    await fixed.wait_edit()
    renewed = await group_named(community, "Industrial transition")
    assert renewed.channel_id != group.channel_id
    assert channel_of(community, renewed) in sb.visible_channels(community.members["marco"])


async def test_archive_and_unarchive(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community, visibility="public")
    group = await group_named(community, "Industrial transition")
    await community.as_member("marco").slash("group join", group=str(group.id))
    role = role_of(community, group)
    await sb.wait_until(lambda: role.id in community.members["marco"].roles)
    channel = channel_of(community, group)
    channel_id = channel.id
    sofia = community.as_member("sofia")
    done = await sofia.slash("group archive", group=str(group.id))
    await done.wait_edit()
    assert "archived" in done.content
    parent = sb.backend.channels[channel.parent_id]  # type: ignore[index]
    assert parent.name == "Archived groups"
    assert channel.id == channel_id  # the same channel: history kept
    from bot.sandbox import permissions as perm

    marco_perms = perm.channel_permissions(
        community.guild, community.members["marco"].user.id, channel
    )
    assert marco_perms & perm.VIEW_CHANNEL and not marco_perms & perm.SEND_MESSAGES
    assert role.id in community.members["marco"].roles  # alumni role kept (default)
    refused = await community.as_member("lena").slash("group join", group=str(group.id))
    assert "archived" in refused.content
    back = await sofia.slash("group unarchive", group=str(group.id))
    await back.wait_edit()
    assert sb.backend.channels[channel.parent_id].name == "Working groups"  # type: ignore[index]
    marco_perms = perm.channel_permissions(
        community.guild, community.members["marco"].user.id, channel
    )
    assert marco_perms & perm.SEND_MESSAGES


async def test_a_new_gateway_session_reconciles_again(
    community: LocalCommunity, caplog: pytest.LogCaptureFixture
) -> None:
    """Member updates sent while the bot had no session are not replayed: READY again means
    comparing again."""
    sb = community.sandbox
    reconciles = Reconciles(caplog)
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    runs = reconciles.settled()
    sb.faults.invalid_session(resumable=False)
    # discord.py waits 5 s before identifying again.
    await reconciles.next_settled(community, runs, timeout=15)
    assert await repo(community).membership(group.id, community.members["sofia"].user.id)


async def closed_dms_lead(community: LocalCommunity) -> Member:
    """Kaisa, in Finnish, accepts no DMs from the bot; she leads "Lapland tourism"."""
    sb = community.sandbox
    kaisa = sb.add_member(community.guild, "Kaisa", locale="fi", dms_open=False)
    community.members["kaisa"] = kaisa
    await sb.wait_until(
        lambda: (
            community.bot is not None
            and (guild := community.bot.get_guild(community.guild.id)) is not None
            and guild.get_member(kaisa.user.id) is not None
        )
    )
    await speak(community, "kaisa", "olli")
    await partnership(community, kaisa, visibility="public")
    return kaisa


async def test_a_lead_with_closed_dms_finds_the_application_in_a_private_thread(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    kaisa = await closed_dms_lead(community)
    group = await group_named(community, "Lapland tourism")
    olli = community.as_member("olli")
    for command in ("group member add", "group lead add"):
        done = await olli.slash(command, group=str(group.id), member=community.members["olli"])
        assert done.ephemeral and "Olli" in done.content and " nyt " in done.content, done.content
    await apply(community, "marco", group.id)
    # Olli reads DMs: his copy comes as before, and he is not in the thread.
    await sb.wait_until(lambda: [m for m in sb.dms(community.members["olli"]) if m.embeds])
    [thread] = await sb.wait_until(lambda: sb.threads(channel_of(community, group)) or None)
    posted = await sb.wait_until(lambda: next((m for m in sb.messages(thread) if m.embeds), None))
    assert sb.dms(kaisa) == []
    assert community.as_member("kaisa").can_see(thread)
    # The group's channel is public: neither the applicant nor another member nor Olli (who
    # got his DM) is in the thread.
    for other in ("marco", "aino", "olli"):
        assert not community.as_member(other).can_see(thread), other
    assert f"<@{kaisa.user.id}>" in posted.content and "yksityisviestejä" in posted.content
    assert posted.embeds[0]["title"] == "Hakemus ryhmään Lapland tourism"
    approved = await community.as_member("kaisa").click(posted, "Hyväksy")
    assert approved.kind == "update"
    await dm_containing(community, "marco", "was approved")
    assert await repo(community).membership(group.id, community.members["marco"].user.id)


async def test_leads_reached_nowhere_leave_the_application_in_the_admin_log(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await closed_dms_lead(community)
    group = await group_named(community, "Lapland tourism")
    sb.delete_channel(channel_of(community, group))
    await sb.wait_for_message(community.channels["admin-log"])  # the missing channel's report
    await apply(community, "marco", group.id)
    copy = await sb.wait_until(
        lambda: next((m for m in sb.messages(community.channels["admin-log"]) if m.embeds), None)
    )
    assert "cannot be reached" in copy.content
    approved = await community.as_member("sofia").click(copy, "Approve")
    assert approved.kind == "update"
    assert await repo(community).membership(group.id, community.members["marco"].user.id)
