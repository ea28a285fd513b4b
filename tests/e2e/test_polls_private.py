"""A poll is read only where it was posted: members who cannot see its channel do not meet it
in /poll list, the autocomplete or /poll results; a group's poll goes to the group's channel."""

from __future__ import annotations

from bot.local import LocalCommunity
from tests.e2e.events_helpers import confirmed
from tests.e2e.groups_helpers import channel_of, create_group, group_named
from tests.e2e.polls_helpers import create_poll, poll_message, vote


async def test_a_poll_in_a_channel_a_member_cannot_see_is_unknown_to_them(
    community: LocalCommunity,
) -> None:
    triage = community.channels["support-triage"]  # the secretariat's (Sofia's) only
    created = await create_poll(
        community,
        question="Should we hire Päivi?",
        options="yes\nno",
        secret=False,
        channel=triage,
    )
    assert "Poll #1 is open" in created.content, created.content
    marco = community.as_member("marco")
    assert not marco.can_see(triage)
    listed = await marco.slash("poll list")
    assert listed.content == "No polls are open.", listed.content
    assert await marco.autocomplete("poll results", "poll", "") == []
    assert await marco.autocomplete("poll close", "poll", "päivi") == []
    offered = await community.as_member("sofia").autocomplete("poll results", "poll", "")
    assert [c["name"] for c in offered] == ["#1 Should we hire Päivi?"]
    assert "Päivi" in (await community.as_member("sofia").slash("poll list")).content
    await vote(community, "sofia", ["yes"], channel="support-triage")
    await confirmed(community.as_member("sofia"), "poll close", poll=1)
    # Closed, the result is Sofia's to read, and still nobody else's: as for a poll that never was.
    hidden = await marco.slash("poll results", poll=1)
    never = await marco.slash("poll results", poll=2)
    assert hidden.content == never.content.replace("#2", "#1"), hidden.content
    assert "Päivi" not in hidden.content and not hidden.followups
    finnish = await community.as_member("aino").slash("poll results", poll=1)
    assert "Päivi" not in finnish.content and "#1" in finnish.content
    shown = await (await community.as_member("sofia").slash("poll results", poll=1)).wait_followup()
    assert "Should we hire Päivi?" in shown.content and "✅ yes" in shown.content


async def test_a_groups_poll_is_posted_in_the_groups_channel(community: LocalCommunity) -> None:
    await create_group(
        community,
        name="Vety",
        visibility="private",
        joining="application",
        lead=community.members["aino"],
    )
    vety = await group_named(community, "Vety")
    general = community.channels["events"]  # where the command is typed
    asked = await community.as_member("aino").slash(
        "poll create", electorate="group", group=vety.name, in_channel=general
    )
    assert asked.modal is not None, asked.content
    done = await asked.submit_modal(
        {"question": "Salainen kysymys?", "options": "a\nb", "description": ""}
    )
    assert "#1" in done.content, done.content
    group_channel = channel_of(community, vety)
    posted = [m for m in community.sandbox.messages(group_channel) if m.embeds]
    assert [m.embeds[0]["title"] for m in posted] == ["Salainen kysymys?"]
    assert not any(m.embeds for m in community.sandbox.messages(general))
    assert not community.as_member("marco").can_see(group_channel)
    # channel: still says otherwise when given.
    elsewhere = await community.as_member("sofia").slash(
        "poll create",
        electorate="group",
        group=vety.name,
        channel=community.channels["announcements"],
        in_channel=general,
    )
    assert elsewhere.modal is not None
    await elsewhere.submit_modal(
        {"question": "Open question?", "options": "a\nb", "description": ""}
    )
    assert poll_message(community).embeds[0]["title"] == "Open question?"
