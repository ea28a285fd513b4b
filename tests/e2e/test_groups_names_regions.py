"""Channel names two groups would share, an archived group named to /event create, a region
typed with the wrong country, and the regions offered before anything is typed."""

from __future__ import annotations

from bot.local import LocalCommunity
from tests.e2e.groups_helpers import channel_of, create_group, group_named, repo


async def test_two_groups_never_share_a_channel_name(community: LocalCommunity) -> None:
    await create_group(community, name="Digital")
    digital = await group_named(community, "Digital")
    taken = await create_group(community, name="Digital!")
    assert taken.content == (
        "The channel #digital already belongs to Digital: choose a name that differs in more "
        "than case or punctuation."
    ), taken.content
    assert [g.name for g in await repo(community).in_guild(community.guild.id)] == ["Digital"]
    refused = await community.as_member("olli").slash(
        "group create",
        name="DIGITAL?",
        kind="working_group",
        description="x",
        joining="open",
        visibility="public",
    )
    assert refused.content.startswith("Kanava #digital kuuluu jo ryhmälle Digital"), refused.content
    # Renaming onto another group's channel is refused too; the group keeps its channel.
    await create_group(community, name="Skills")
    skills = await group_named(community, "Skills")
    sofia = community.as_member("sofia")
    renamed = await sofia.slash("group rename", group=str(skills.id), name="Digital.")
    if renamed.message is not None and renamed.message.flags & (1 << 7):  # still deferred
        await renamed.wait_edit()
    assert "#digital already belongs to Digital" in renamed.content
    assert channel_of(community, skills).name == "skills"
    assert channel_of(community, digital).name == "digital"
    # A group may keep its own channel name under a new spelling.
    done = await sofia.slash("group rename", group=str(digital.id), name="Digital!")
    if done.message is not None and done.message.flags & (1 << 7):
        await done.wait_edit()
    assert "Renamed Digital to Digital!" in done.content


async def test_an_archived_group_is_named_as_archived_to_event_create(
    community: LocalCommunity,
) -> None:
    await create_group(community, name="Hydrogen", name_fi="Vety", lead=community.members["aino"])
    group = await group_named(community, "Hydrogen")
    archived = await community.as_member("sofia").slash("group archive", group=str(group.id))
    await archived.wait_edit()
    for member, expected in (
        ("sofia", "Hydrogen is archived: an organiser can bring it back with /group unarchive."),
        ("olli", "Vety on arkistoitu: järjestäjä voi palauttaa sen komennolla /ryhmä palauta."),
    ):
        refused = await community.as_member(member).slash(
            "event create",
            title="X",
            start="tomorrow 10:00",
            format="online",
            link="https://example.org/x",
            group=str(group.id),
        )
        assert refused.content == expected, refused.content


async def test_a_region_of_another_country_is_refused_and_free_text_is_stated(
    community: LocalCommunity,
) -> None:
    marco = community.as_member("marco")
    refused = await marco.slash("profile set", country="IT", region="Bayern")
    assert refused.content == (
        "Bavaria (Bayern) is a region of Germany, not of Italy: change the country, or pick a "
        "region of Italy from the list."
    ), refused.content
    by_code = await marco.slash("profile set", country="IT", region="DE-BY")
    assert by_code.content == refused.content
    assert (
        await repo(community).profile(community.guild.id, community.members["marco"].user.id)
        is None
    )
    swede = await community.as_member("aino").slash("profile set", country="SE", region="Lappi")
    assert swede.content.startswith("Lappi on maan Suomi alue, ei maan Ruotsi"), swede.content
    kept = await marco.slash("profile set", country="IT", region="Alto Adige Valley")
    assert "Your profile is saved" in kept.content
    assert (
        "“Alto Adige Valley” is not one of Italy's regions in the ISO 3166-2 list: it is kept as "
        "you typed it and counts as a region of its own"
    ) in kept.content
    listed = await marco.slash("profile set", country="IT", region="IT-32")
    assert "ISO 3166-2" not in listed.content


async def test_regions_offered_before_typing_are_the_members_and_the_servers(
    community: LocalCommunity,
) -> None:
    await community.as_member("olli").slash("profile set", country="FI", region="FI-10")
    await community.as_member("aino").slash("profile set", country="FI", region="FI-10")
    await community.as_member("lena").slash("profile set", country="DE", region="DE-BY")
    choices = await community.as_member("marco").autocomplete("region show", "name", "")
    assert [c["value"] for c in choices[:2]] == ["FI-10", "DE-BY"], choices[:3]
    # Lena's own region first, then the server's, then the rest of Germany.
    mine = await community.as_member("lena").autocomplete("region show", "name", "")
    values = [c["value"] for c in mine]
    assert values[:2] == ["DE-BY", "FI-10"]
    assert all(v.startswith("DE-") for v in values[2:17])  # Germany's 16 Länder
    # Within a chosen country only its regions, the server's first.
    in_finland = await community.as_member("marco").autocomplete(
        "profile set", "region", "", country="FI"
    )
    assert in_finland[0]["value"] == "FI-10"
    assert all(c["value"].startswith("FI-") for c in in_finland)
