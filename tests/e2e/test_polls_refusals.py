"""/poll create's refusals say what to fix: an empty electorate names what would fill it, a
close time is a poll's (not an event's), and a reminder that could never be sent is refused."""

from __future__ import annotations

import pytest

from bot.local import LocalCommunity
from db import groups as stored_groups
from db.groups import NewGroup
from tests.e2e.polls_helpers import create_poll


async def nothing_stored(community: LocalCommunity) -> None:
    assert community.db is not None
    row = await community.db.fetchone("SELECT count(*) FROM polls")
    assert row is not None and row[0] == 0


@pytest.fixture
async def regionless(community: LocalCommunity) -> int:
    """A partnership whose two members (Sofia leads, Marco) set no region in their profiles."""
    assert community.db is not None
    now = community.clock.now()
    sofia = community.members["sofia"].user.id
    group = await community.db.write(
        stored_groups.create,
        NewGroup(community.guild.id, "Vety", None, "partnership", "", "open", "public", sofia),
        ["vety"],
        sofia,
        now,
    )
    await community.db.write(
        stored_groups.add_member, group, community.members["marco"].user.id, now
    )
    return group.id


@pytest.mark.parametrize(
    ("member", "says"),
    [
        ("sofia", ["none of Vety's members has a region", "/profile set region:", "/group region"]),
        ("olli", ["yhdelläkään ryhmän Vety jäsenellä", "/profiili aseta alue:", "/ryhmä alue"]),
    ],
)
async def test_an_empty_region_electorate_says_how_regions_are_counted(
    community: LocalCommunity, regionless: int, member: str, says: list[str]
) -> None:
    refused = await create_poll(community, member, electorate="region", group="Vety")
    assert refused.modal is None and refused.ephemeral
    assert all(part in refused.content for part in says), refused.content
    await nothing_stored(community)


async def test_a_close_date_without_a_time_is_a_polls(community: LocalCommunity) -> None:
    for member, needs in (("sofia", "add one"), ("olli", "lisää kellonaika")):
        refused = await create_poll(community, member, closes="tomorrow")
        assert needs in refused.content and "event" not in refused.content, refused.content
        assert "tapahtuma" not in refused.content
    await nothing_stored(community)


async def test_a_reminder_before_the_poll_opens_is_refused(community: LocalCommunity) -> None:
    refused = await create_poll(community, closes="in 30 minutes", remind="1h")
    assert refused.modal is None
    assert "A reminder 1h before the close would come before the poll opens" in refused.content
    finnish = await create_poll(community, "olli", closes="in 30 minutes", remind="1h")
    assert "ennen kuin äänestys alkaa" in finnish.content, finnish.content
    await nothing_stored(community)
    fits = await create_poll(community, closes="in 3 hours", remind="1h")
    assert "Poll #1 is open" in fits.content, fits.content
