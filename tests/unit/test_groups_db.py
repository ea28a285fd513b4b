"""The groups repository on a real SQLite file: creation, names, memberships, applications,
profiles and regions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db import groups as stored
from db.database import Database
from db.groups import (
    AlreadyPending,
    GroupRecord,
    Groups,
    LastLead,
    NameTaken,
    NewGroup,
    Profile,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 1


class Repository(Groups):
    """The reads, and each write function in its own transaction, as a service's _commit
    runs it."""

    def __getattr__(self, name: str) -> Any:
        write = getattr(stored, name)
        return lambda *args, **kwargs: self.db.write(write, *args, **kwargs)


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Any]:
    db = await Database.open(tmp_path / "groups.sqlite3")
    await db.migrate()
    yield Repository(db)
    await db.close()


def new(name: str, name_fi: str | None = None, **fields: str) -> NewGroup:
    values = {"kind": "partnership", "joining": "open", "visibility": "public"} | fields
    return NewGroup(
        GUILD,
        name,
        name_fi,
        values["kind"],
        "",
        values["joining"],
        values["visibility"],
        created_by=10,
    )


async def make(repo: Any, name: str, name_fi: str | None = None, **fields: str) -> GroupRecord:
    keys = [name.casefold()] + ([name_fi.casefold()] if name_fi else [])
    return await repo.create(new(name, name_fi, **fields), keys, lead_id=10, now=NOW)


async def test_create_stores_group_names_and_first_lead(repo: Any) -> None:
    group = await make(repo, "Industrial transition", "Teollinen muutos", kind="working_group")
    assert (group.name, group.name_fi, group.kind, group.archived) == (
        "Industrial transition",
        "Teollinen muutos",
        "working_group",
        False,
    )
    assert await repo.members(group.id) == [await repo.membership(group.id, 10)]
    assert (await repo.membership(group.id, 10)).lead  # type: ignore[union-attr]
    assert await repo.taken_keys(GUILD) == {"industrial transition", "teollinen muutos"}
    assert (await repo.by_key(GUILD, "teollinen muutos")) == group
    assert group.display_name("fi") == "Teollinen muutos"
    assert group.display_name("en") == "Industrial transition"


async def test_a_name_claimed_in_either_language_refuses_the_second_group(repo: Any) -> None:
    await make(repo, "Industrial transition", "Teollinen muutos")
    with pytest.raises(NameTaken):
        await make(repo, "Teollinen muutos")
    assert [g.name for g in await repo.in_guild(GUILD)] == ["Industrial transition"]
    # Nothing of the refused group remains: no half-made names or memberships.
    assert await repo.taken_keys(GUILD) == {"industrial transition", "teollinen muutos"}


async def test_delete_removes_names_and_memberships(repo: Any) -> None:
    group = await make(repo, "Energy")
    await repo.add_member(group, 11, NOW)
    await repo.delete(group.id)
    assert await repo.get(group.id) is None
    assert await repo.taken_keys(GUILD) == set()
    assert await repo.sync_state(GUILD) == {}


async def test_rename_replaces_keys_and_refuses_a_taken_name(repo: Any) -> None:
    one = await make(repo, "Energy")
    await make(repo, "Tourism")
    await repo.rename(
        one.id, "Energy transition", "Energiamurros", ["energy transition", "energiamurros"]
    )
    assert await repo.taken_keys(GUILD, except_group=one.id) == {"tourism"}
    with pytest.raises(NameTaken):
        await repo.rename(one.id, "Tourism", None, ["tourism"])
    renamed = await repo.get(one.id)
    assert renamed is not None and renamed.name == "Energy transition"


async def test_memberships_join_leave_and_leads(repo: Any) -> None:
    group = await make(repo, "Energy")
    assert await repo.add_member(group, 11, NOW)
    assert not await repo.add_member(group, 11, NOW)
    assert not await repo.add_member(group, 11, NOW, lead=True)  # a member made lead
    assert not await repo.add_member(group, 11, NOW)  # joining again does not demote
    assert (await repo.membership(group.id, 11)).lead  # type: ignore[union-attr]
    assert await repo.set_lead(group.id, 11, False)
    assert not await repo.set_lead(group.id, 99, True)  # not a member
    # The only lead can neither step back nor leave: nothing is written.
    for write in (repo.set_lead(group.id, 10, False), repo.remove_member(group.id, 10)):
        with pytest.raises(LastLead):
            await write
    assert (await repo.membership(group.id, 10)).lead  # type: ignore[union-attr]
    assert await repo.remove_member(group.id, 11)
    assert not await repo.remove_member(group.id, 11)
    assert await repo.membership(group.id, 11) is None
    assert [g.name for g, lead in await repo.groups_of(GUILD, 10) if lead] == ["Energy"]


async def test_pending_marks_what_discord_has_not_confirmed(repo: Any) -> None:
    group = await make(repo, "Energy")
    assert await repo.sync_state(GUILD) == {group.id: {10: "add"}}
    await repo.confirm(group.id, [10], has_role=True)
    await repo.add_member(group, 11, NOW)
    await repo.add_member(group, 12, NOW)
    await repo.confirm(group.id, [12], has_role=True)
    await repo.remove_member(group.id, 12)
    assert await repo.sync_state(GUILD) == {group.id: {10: None, 11: "add", 12: "remove"}}
    assert await repo.add_member(group, 12, NOW)  # back before the role was taken
    assert (await repo.sync_state(GUILD))[group.id][12] == "add"
    await repo.remove_member(group.id, 12)
    await repo.confirm(group.id, [12], has_role=False)
    assert 12 not in (await repo.sync_state(GUILD))[group.id]


async def test_read_back_takes_discords_word(repo: Any) -> None:
    group = await make(repo, "Energy")
    await repo.add_member(group, 11, NOW, lead=True)  # so that lead 10 may leave
    await repo.remove_member(group.id, 10)
    await repo.read_back(
        GUILD, given=[(group.id, 12), (group.id, 10)], taken=[(group.id, 11)], now=NOW
    )
    assert await repo.sync_state(GUILD) == {group.id: {10: None, 12: None}}
    assert not (await repo.membership(group.id, 10)).lead  # type: ignore[union-attr]


async def test_list_filters_kind_and_archived(repo: Any) -> None:
    a = await make(repo, "Alpha", kind="working_group")
    await make(repo, "beta", kind="partnership")
    await repo.set_archived(a.id, True)
    assert [g.name for g in await repo.in_guild(GUILD)] == ["beta"]
    assert [g.name for g in await repo.in_guild(GUILD, archived=None)] == ["Alpha", "beta"]
    assert [g.name for g in await repo.in_guild(GUILD, kind="working_group", archived=True)] == [
        "Alpha"
    ]


async def test_one_pending_application_per_member_and_group(repo: Any) -> None:
    group = await make(repo, "Energy", joining="application")
    app = await repo.apply(group, 11, "I work on it", "Regional Council", "FI-10", NOW)
    assert app.status == "pending"
    with pytest.raises(AlreadyPending):
        await repo.apply(group, 11, "again", "", "", NOW)
    withdrawn = await repo.decide(app.id, "withdrawn", 11, NOW)
    assert withdrawn is not None and withdrawn.status == "withdrawn"
    again = await repo.apply(group, 11, "again", "", "", NOW)  # history does not block
    assert (await repo.pending(group.id, 11)) == again


async def test_two_leads_deciding_at_once_one_wins(repo: Any) -> None:
    group = await make(repo, "Energy", joining="application")
    app = await repo.apply(group, 11, "please", "", "", NOW)
    approve, decline = await asyncio.gather(
        repo.decide(app.id, "approved", 10, NOW),
        repo.decide(app.id, "declined", 12, NOW, reason="full"),
    )
    assert (approve is None) != (decline is None)
    decided = await repo.application(app.id)
    assert decided is not None and decided.status in ("approved", "declined")
    member = await repo.membership(group.id, 11)
    assert (member is not None) == (decided.status == "approved")


async def test_approval_grants_membership_in_the_same_write(repo: Any) -> None:
    group = await make(repo, "Energy", joining="application")
    app = await repo.apply(group, 11, "please", "", "", NOW)
    decided = await repo.decide(app.id, "approved", 10, NOW)
    assert decided is not None and decided.decided_by == 10
    assert await repo.membership(group.id, 11) is not None
    assert await repo.decide(app.id, "declined", 10, NOW, reason="late") is None


async def test_profile_set_show_clear(repo: Any) -> None:
    profile = Profile(
        GUILD,
        11,
        "FI",
        "FI-10",
        None,
        "Regional Council of Lapland",
        "public_authority",
        ("fi", "en"),
    )
    await repo.set_profile(profile, NOW)
    assert await repo.profile(GUILD, 11) == profile
    await repo.set_profile(Profile(GUILD, 11, "FI", None, "Tornio valley"), NOW)
    stored = await repo.profile(GUILD, 11)
    assert stored is not None and stored.region_key == "text:tornio valley"
    assert stored.organisation is None  # set replaces: nothing kept the member did not type
    assert await repo.clear_profile(GUILD, 11)
    assert await repo.profile(GUILD, 11) is None
    assert not await repo.clear_profile(GUILD, 11)


async def test_regions_combine_profiles_and_lead_added(repo: Any) -> None:
    energy = await make(repo, "Energy")
    tourism = await make(repo, "Tourism")
    for user, code in ((11, "FI-10"), (12, "FI-10"), (13, "SE-BD")):
        await repo.set_profile(Profile(GUILD, user, code[:2], code), NOW)
        await repo.add_member(energy, user, NOW)
    assert await repo.add_region(energy, "ES-CT", "ES-CT", None, 10, NOW)
    assert not await repo.add_region(energy, "ES-CT", "ES-CT", None, 10, NOW)
    assert await repo.add_region(energy, "FI-10", "FI-10", None, 10, NOW)
    await repo.add_region(tourism, "FI-10", "FI-10", None, 10, NOW)
    regions = {r.key: (r.lead_added, r.members) for r in await repo.regions(energy.id)}
    assert regions == {"FI-10": (True, 2), "SE-BD": (False, 1), "ES-CT": (True, 0)}
    assert [g.name for g in await repo.groups_in_region(GUILD, "FI-10")] == ["Energy", "Tourism"]
    assert [p.user_id for p in await repo.members_in_region(GUILD, "FI-10")] == [11, 12]
    assert await repo.remove_region(energy.id, "ES-CT")
    assert [g.name for g in await repo.groups_in_region(GUILD, "ES-CT")] == []
