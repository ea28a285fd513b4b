"""Profiles, regions and partnerships' regions; announcements; bad input answered clearly."""

from __future__ import annotations

import pytest

from bot.local import LocalCommunity
from bot.sandbox.driver import SandboxUsageError
from tests.e2e.groups_helpers import channel_of, create_group, fields, group_named, repo


async def test_region_autocomplete_by_any_name_and_profile_round_trip(
    community: LocalCommunity,
) -> None:
    marco = community.as_member("marco")
    countries = await marco.autocomplete("profile set", "country", "suo")
    assert countries[0]["value"] == "FI"
    for typed in ("Lapland", "lappi", "FI-10"):
        choices = await marco.autocomplete("profile set", "region", typed, country="FI")
        assert choices[0]["value"] == "FI-10", typed
    saved = await marco.slash(
        "profile set",
        country="FI",
        region="Lapland",
        organisation="Lapin liitto",
        stakeholder="public_authority",
        languages="fi, en, Swedish",
    )
    assert saved.ephemeral and "profile is saved" in saved.content
    profile = await repo(community).profile(community.guild.id, community.members["marco"].user.id)
    assert profile is not None and profile.region_code == "FI-10"
    assert profile.languages == ("fi", "en", "sv")
    shown = await community.as_member("aino").slash(
        "profile show", member=community.members["marco"]
    )
    assert fields(shown.message)["Alue"] == "Lappi"  # type: ignore[arg-type]
    assert fields(shown.message)["Sidosryhmän laji"] == "Julkinen viranomainen"  # type: ignore[arg-type]
    cleared = await marco.slash("profile clear")
    assert "deleted" in cleared.content
    assert (
        await repo(community).profile(community.guild.id, community.members["marco"].user.id)
        is None
    )
    again = await marco.slash("profile clear")
    assert "no profile" in again.content


async def test_bad_profile_input_is_refused_and_nothing_stored(community: LocalCommunity) -> None:
    marco = community.as_member("marco")
    for options, message in (
        ({"country": "Atlantis"}, "not a country"),
        ({"country": "FI", "region": "FI-99"}, "no region with the code FI-99"),
        ({"country": "FI", "region": "SE-BD"}, "is a region of Sweden, not of Finland"),
        ({"country": "FI", "languages": "elvish"}, "not a language"),
    ):
        answer = await marco.slash("profile set", **options)
        assert answer.ephemeral and message in answer.content, (options, answer.content)
    assert (
        await repo(community).profile(community.guild.id, community.members["marco"].user.id)
        is None
    )
    free = await marco.slash("profile set", country="FI", region="Tornio river valley")
    assert "saved" in free.content


async def test_region_show_counts_partnerships_groups_and_members(
    community: LocalCommunity,
) -> None:
    for name in ("Arctic tourism", "Bioeconomy", "Smart mining"):
        await create_group(community, name=name, kind="partnership", visibility="public")
    await create_group(community, name="Innovation diffusion", kind="working_group")
    olli = community.as_member("olli")
    await olli.slash("profile set", country="FI", region="Lappi")
    for name in ("Arctic tourism", "Bioeconomy", "Innovation diffusion"):
        group = await group_named(community, name)
        await olli.slash("group join", group=str(group.id))
    # A lead adds Lapland to a partnership no Lapland member is in yet.
    mining = await group_named(community, "Smart mining")
    added = await community.as_member("sofia").slash(
        "group region add", group=str(mining.id), region="FI-10"
    )
    assert "takes part" in added.content
    shown = await community.as_member("marco").slash("region show", name="Lapland")
    assert shown.content.startswith(
        "**Lapland (Lappi)** — Thematic partnerships: 3, Working groups: 1, members: 1"
    )
    info = await community.as_member("marco").slash("group info", group=str(mining.id))
    assert "Lapland (Lappi) ★" in fields(info.message)["Regions"]  # type: ignore[arg-type]
    finnish = await community.as_member("aino").slash("region show", name="lappi")
    assert "Temaattiset kumppanuudet: 3" in finnish.content


async def test_announce_with_preview_pings_only_the_role(community: LocalCommunity) -> None:
    sb = community.sandbox
    await create_group(community)
    group = await group_named(community, "Industrial transition")
    await community.as_member("marco").slash("group join", group=str(group.id))
    refused = await community.as_member("marco").slash(
        "group announce", group=str(group.id), text="hi"
    )
    assert "Only" in refused.content
    preview = await community.as_member("sofia").slash(
        "group announce", group=str(group.id), text="Meeting on Friday @everyone"
    )
    assert preview.ephemeral and "Meeting on Friday" in preview.content
    assert sb.messages(channel_of(community, group)) == []
    posted = await community.as_member("sofia").click(preview.message, "Post and ping members")  # type: ignore[arg-type]
    assert "Posted" in posted.content
    [message] = sb.messages(channel_of(community, group))
    assert message.content.startswith(f"<@&{group.role_id}>")


async def test_leads_manage_members_and_refusals(community: LocalCommunity) -> None:
    await create_group(
        community, visibility="private", joining="application", lead=community.members["olli"]
    )
    group = await group_named(community, "Industrial transition")
    olli, marco = community.as_member("olli"), community.as_member("marco")
    refused = await marco.slash(
        "group member add", group=str(group.id), member=community.members["lena"]
    )
    assert "Only" in refused.content
    not_member = await olli.slash(
        "group lead add", group=str(group.id), member=community.members["lena"]
    )
    assert "ei ole ryhmän" in not_member.content  # olli reads Finnish
    added = await olli.slash(
        "group member add", group=str(group.id), member=community.members["lena"]
    )
    assert "on nyt ryhmän" in added.content
    last_lead = await olli.slash(
        "group lead remove", group=str(group.id), member=community.members["olli"]
    )
    assert "vähintään yhden vetäjän" in last_lead.content
    removed = await olli.slash(
        "group member remove", group=str(group.id), member=community.members["lena"]
    )
    assert "ei ole enää" in removed.content
    long = await community.as_member("sofia").slash(
        "group create",
        name="x" * 101,
        kind="other",
        description="d",
        joining="open",
        visibility="public",
    )
    assert "at most 100" in long.content
    unknown = await marco.slash("group info", group="No such group")
    assert "don't know that group" in unknown.content
    choices = await marco.autocomplete("group info", "group", "indus")
    assert [c["value"] for c in choices] == [str(group.id)]


async def test_a_preview_still_posts_after_a_restart_and_the_lead_is_checked_again(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await create_group(community, lead=community.members["olli"])
    group = await group_named(community, "Industrial transition")
    olli = community.as_member("olli")
    for member in ("marco", "aino"):
        await olli.slash("group member add", group=str(group.id), member=community.members[member])
    await olli.slash("group lead add", group=str(group.id), member=community.members["marco"])
    text = "Line one\n>>> a quote inside\nand **bold**"
    olli_preview = await olli.slash("group announce", group=str(group.id), text=text)
    marco_preview = await community.as_member("marco").slash(
        "group announce", group=str(group.id), text="From Marco"
    )
    await community.restart_bot()
    posted = await olli.click(olli_preview.message, "Julkaise")  # type: ignore[arg-type]
    assert posted.kind == "update" and "Julkaistu" in posted.content, posted.content
    [message] = sb.messages(channel_of(community, group))
    assert message.content == text
    # Marco stepped back as a lead before pressing Post: his preview no longer posts.
    await olli.slash("group lead remove", group=str(group.id), member=community.members["marco"])
    refused = await community.as_member("marco").click(marco_preview.message, "Post")  # type: ignore[arg-type]
    assert "Only" in refused.content
    assert len(sb.messages(channel_of(community, group))) == 1


async def test_options_echoed_in_refusals_are_bounded(community: LocalCommunity) -> None:
    # A refusal repeats what was typed; a string option may carry 6,000 characters and a
    # message only 2,000, so these options declare their length and Discord's client stops a
    # longer value before the bot would fail to answer at all.
    long = "x" * 3000
    sofia = community.as_member("sofia")
    for command, options in (
        ("profile set", {"country": long}),
        ("profile set", {"country": "FI", "languages": long}),
        (
            "group create",
            {
                "name": "Tiny",
                "kind": long,
                "description": "d",
                "joining": "open",
                "visibility": "public",
            },
        ),
    ):
        with pytest.raises(SandboxUsageError, match="max_length"):
            await sofia.slash(command, **options)
    near = await sofia.slash("profile set", country="y" * 100)
    assert near.ephemeral and "is not a country I know" in near.content
