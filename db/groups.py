"""Repository for groups, their names, memberships, applications, profiles and regions.

Takes and returns typed records. Writes are plain functions on a connection, which the groups
service runs through its one exit (``GroupService._commit``): writes that belong together (a
group and its names and first lead, an approval and the membership it grants) are one
transaction in one trip. Reads are the async methods of :class:`Groups`, one trip each; no
connection is held across an ``await``.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.personal import PersonalData, declare
from db.times import from_db, to_db


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def region_key(code: str | None, text: str | None) -> str | None:
    """One key per region, so members' profiles and lead-added regions meet: the ISO code, or
    the free text case-folded."""
    if code:
        return code
    if text:
        return "text:" + _fold(text)
    return None


class NameTaken(Exception):
    """Another group claimed one of the names first (two creations racing)."""


class LastLead(Exception):
    """The change would leave the group without a lead: nobody would decide its
    applications."""


class AlreadyPending(Exception):
    """The member already has a pending application to this group."""


@dataclass(frozen=True)
class GroupRecord:
    id: int
    guild_id: int
    name: str
    name_fi: str | None
    kind: str
    description: str
    joining: str  # open | application
    visibility: str  # public | private
    role_id: int | None
    channel_id: int | None
    card_message_id: int | None
    archived: bool
    reported_missing: frozenset[str]
    created_by: int

    def display_name(self, language: str) -> str:
        return self.name_fi if language == "fi" and self.name_fi else self.name

    in_language = display_name  # named in the reader's language in any message (bot.i18n.translate)


@dataclass(frozen=True)
class NewGroup:
    guild_id: int
    name: str
    name_fi: str | None
    kind: str
    description: str
    joining: str
    visibility: str
    created_by: int


@dataclass(frozen=True)
class Membership:
    group_id: int
    user_id: int
    lead: bool


@dataclass(frozen=True)
class Application:
    id: int
    guild_id: int
    group_id: int
    user_id: int
    motivation: str
    organisation: str
    region: str
    status: str  # pending | approved | declined | withdrawn
    decided_by: int | None
    reason: str | None
    channel_id: int | None
    message_id: int | None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Profile:
    guild_id: int
    user_id: int
    country: str | None = None
    region_code: str | None = None
    region_text: str | None = None
    organisation: str | None = None
    stakeholder: str | None = None
    languages: tuple[str, ...] = ()

    @property
    def region_key(self) -> str | None:
        return region_key(self.region_code, self.region_text)


@dataclass(frozen=True)
class GroupRegion:
    """A region a group takes part in: from members' profiles, or added by a lead."""

    key: str
    code: str | None
    text: str | None
    lead_added: bool
    members: int


def _group(row: sqlite3.Row) -> GroupRecord:
    return GroupRecord(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        name_fi=row["name_fi"],
        kind=row["kind"],
        description=row["description"],
        joining=row["joining"],
        visibility=row["visibility"],
        role_id=row["role_id"],
        channel_id=row["channel_id"],
        card_message_id=row["card_message_id"],
        archived=bool(row["archived"]),
        reported_missing=frozenset(filter(None, row["reported_missing"].split(","))),
        created_by=row["created_by"],
    )


def _application(row: sqlite3.Row) -> Application:
    return Application(
        id=row["id"],
        guild_id=row["guild_id"],
        group_id=row["group_id"],
        user_id=row["user_id"],
        motivation=row["motivation"],
        organisation=row["organisation"],
        region=row["region"],
        status=row["status"],
        decided_by=row["decided_by"],
        reason=row["reason"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        decided_at=from_db(row["decided_at"]) if row["decided_at"] else None,
    )


def _profile(row: sqlite3.Row) -> Profile:
    return Profile(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        country=row["country"],
        region_code=row["region_code"],
        region_text=row["region_text"],
        organisation=row["organisation"],
        stakeholder=row["stakeholder"],
        languages=tuple(filter(None, row["languages"].split(","))),
    )


# -- writes -------------------------------------------------------------------------------------
# Plain functions on the caller's connection: the groups service runs each (or several composed)
# through its one exit, ``GroupService._commit``, in one transaction. None of them commits.


def _row_group(conn: sqlite3.Connection, group_id: int) -> GroupRecord:
    row = conn.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
    assert row is not None
    return _group(row)


def _row_application(conn: sqlite3.Connection, app_id: int) -> Application:
    row = conn.execute("SELECT * FROM applications WHERE id = ?", (app_id,)).fetchone()
    assert row is not None
    return _application(row)


def create(
    conn: sqlite3.Connection, new: NewGroup, keys: Iterable[str], lead_id: int, now: datetime
) -> GroupRecord:
    """The group, the names it claims and its first lead, together; NameTaken if another group
    holds one of the names."""
    try:
        cursor = conn.execute(
            "INSERT INTO groups (guild_id, name, name_fi, kind, description, joining, "
            "visibility, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.guild_id,
                new.name,
                new.name_fi,
                new.kind,
                new.description,
                new.joining,
                new.visibility,
                new.created_by,
                to_db(now),
            ),
        )
        group_id = cursor.lastrowid or 0
        conn.executemany(
            "INSERT INTO group_names (group_id, guild_id, key) VALUES (?, ?, ?)",
            [(group_id, new.guild_id, key) for key in keys],
        )
    except sqlite3.IntegrityError as exc:
        raise NameTaken from exc
    conn.execute(
        "INSERT INTO memberships (guild_id, group_id, user_id, lead, joined_at, "
        "pending) VALUES (?, ?, ?, 1, ?, 'add')",
        (new.guild_id, group_id, lead_id, to_db(now)),
    )
    return _row_group(conn, group_id)


def delete(conn: sqlite3.Connection, group_id: int) -> None:
    """Undo a creation whose Discord half failed (cascades to names and memberships)."""
    conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))


def set_discord(
    conn: sqlite3.Connection, group_id: int, *, role_id: int | None, channel_id: int | None
) -> None:
    """Where the group lives in Discord; clears an earlier "missing" report."""
    conn.execute(
        "UPDATE groups SET role_id = ?, channel_id = ?, reported_missing = '' WHERE id = ?",
        (role_id, channel_id, group_id),
    )


def set_card(conn: sqlite3.Connection, group_id: int, message_id: int | None) -> None:
    conn.execute("UPDATE groups SET card_message_id = ? WHERE id = ?", (message_id, group_id))


def mark_reported(conn: sqlite3.Connection, group_id: int, missing: Iterable[str]) -> None:
    conn.execute(
        "UPDATE groups SET reported_missing = ? WHERE id = ?",
        (",".join(sorted(set(missing))), group_id),
    )


def rename(
    conn: sqlite3.Connection, group_id: int, name: str, name_fi: str | None, keys: Iterable[str]
) -> None:
    """New names replace the old ones; NameTaken if another group claimed one."""
    row = conn.execute("SELECT guild_id FROM groups WHERE id = ?", (group_id,)).fetchone()
    if row is None:
        return
    conn.execute("DELETE FROM group_names WHERE group_id = ?", (group_id,))
    try:
        conn.executemany(
            "INSERT INTO group_names (group_id, guild_id, key) VALUES (?, ?, ?)",
            [(group_id, row[0], key) for key in keys],
        )
    except sqlite3.IntegrityError as exc:
        raise NameTaken from exc
    conn.execute("UPDATE groups SET name = ?, name_fi = ? WHERE id = ?", (name, name_fi, group_id))


def edit(
    conn: sqlite3.Connection, group_id: int, *, description: str, joining: str, visibility: str
) -> None:
    conn.execute(
        "UPDATE groups SET description = ?, joining = ?, visibility = ? WHERE id = ?",
        (description, joining, visibility, group_id),
    )


def set_archived(conn: sqlite3.Connection, group_id: int, archived: bool) -> None:
    conn.execute("UPDATE groups SET archived = ? WHERE id = ?", (int(archived), group_id))


# A membership is written first and marked pending until Discord's role agrees: 'add' until
# the role is given, 'remove' (no longer a member) until it is taken.


def add_member(
    conn: sqlite3.Connection, group: GroupRecord, user_id: int, now: datetime, *, lead: bool = False
) -> bool:
    """True when the member was not in the group before (a lead stays a lead); the role is
    then to be given (pending 'add')."""
    row = conn.execute(
        "SELECT pending FROM memberships WHERE group_id = ? AND user_id = ?", (group.id, user_id)
    ).fetchone()
    joining = row is None or row[0] == "remove"
    conn.execute(
        "INSERT INTO memberships (guild_id, group_id, user_id, lead, joined_at, pending) "
        "VALUES (?, ?, ?, ?, ?, 'add') ON CONFLICT (group_id, user_id) DO UPDATE "
        "SET lead = CASE WHEN pending = 'remove' THEN excluded.lead "
        "ELSE MAX(lead, excluded.lead) END, "
        "joined_at = CASE WHEN pending = 'remove' THEN excluded.joined_at "
        "ELSE joined_at END, "
        "pending = CASE WHEN pending = 'remove' THEN 'add' ELSE pending END",
        (group.guild_id, group.id, user_id, int(lead), to_db(now)),
    )
    return joining


def _check_not_last_lead(conn: sqlite3.Connection, group_id: int, user_id: int) -> None:
    """LastLead when ``user_id`` is the group's only lead, checked in the write's own
    transaction so two leads stepping back at once cannot both succeed."""
    leads = [
        row[0]
        for row in conn.execute(
            "SELECT user_id FROM memberships "
            "WHERE group_id = ? AND lead = 1 AND pending IS NOT 'remove'",
            (group_id,),
        )
    ]
    if leads == [user_id]:
        raise LastLead


def remove_member(conn: sqlite3.Connection, group_id: int, user_id: int) -> bool:
    """True when they were a member; the role is then to be taken (pending 'remove').
    LastLead (nothing written) when they are the group's only lead."""
    _check_not_last_lead(conn, group_id, user_id)
    cursor = conn.execute(
        "UPDATE memberships SET pending = 'remove', lead = 0 "
        "WHERE group_id = ? AND user_id = ? AND pending IS NOT 'remove'",
        (group_id, user_id),
    )
    return cursor.rowcount > 0


def confirm(
    conn: sqlite3.Connection, group_id: int, user_ids: Iterable[int], *, has_role: bool
) -> None:
    """Discord now agrees: the role was given (pending cleared) or taken (row deleted)."""
    ids = [(group_id, u) for u in user_ids]
    if has_role:
        conn.executemany(
            "UPDATE memberships SET pending = NULL "
            "WHERE group_id = ? AND user_id = ? AND pending = 'add'",
            ids,
        )
    else:
        conn.executemany(
            "DELETE FROM memberships WHERE group_id = ? AND user_id = ? AND pending = 'remove'",
            ids,
        )


def read_back(
    conn: sqlite3.Connection,
    guild_id: int,
    given: Iterable[tuple[int, int]],
    taken: Iterable[tuple[int, int]],
    now: datetime,
) -> None:
    """Roles given or taken in Discord (by hand, or confirming the bot's own writes):
    (group, user) pairs. Given makes a member in sync; taken ends the membership."""
    conn.executemany(
        "INSERT INTO memberships (guild_id, group_id, user_id, joined_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE "
        "SET pending = NULL, lead = CASE WHEN pending = 'remove' THEN 0 ELSE lead END",
        [(guild_id, g, u, to_db(now)) for g, u in given],
    )
    conn.executemany("DELETE FROM memberships WHERE group_id = ? AND user_id = ?", list(taken))


def set_lead(conn: sqlite3.Connection, group_id: int, user_id: int, lead: bool) -> bool:
    """Make a member a lead or not; False when they are not a member. LastLead (nothing
    written) when the only lead would step back."""
    if not lead:
        _check_not_last_lead(conn, group_id, user_id)
    cursor = conn.execute(
        "UPDATE memberships SET lead = ? "
        "WHERE group_id = ? AND user_id = ? AND pending IS NOT 'remove'",
        (int(lead), group_id, user_id),
    )
    return cursor.rowcount > 0


def apply(
    conn: sqlite3.Connection,
    group: GroupRecord,
    user_id: int,
    motivation: str,
    organisation: str,
    region: str,
    now: datetime,
) -> Application:
    """A pending application; AlreadyPending if the member has one for this group."""
    try:
        cursor = conn.execute(
            "INSERT INTO applications (guild_id, group_id, user_id, motivation, organisation, "
            "region, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group.guild_id, group.id, user_id, motivation, organisation, region, to_db(now)),
        )
    except sqlite3.IntegrityError as exc:
        raise AlreadyPending from exc
    return _row_application(conn, cursor.lastrowid or 0)


def decide(
    conn: sqlite3.Connection,
    app_id: int,
    status: str,
    by: int,
    now: datetime,
    reason: str | None = None,
) -> Application | None:
    """Decide a pending application: approve (the membership comes with it), decline or
    withdraw. None when it was no longer pending: someone decided first."""
    cursor = conn.execute(
        "UPDATE applications SET status = ?, decided_by = ?, reason = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status, by, reason, to_db(now), app_id),
    )
    if cursor.rowcount == 0:
        return None
    if status == "approved":
        conn.execute(
            "INSERT INTO memberships (guild_id, group_id, user_id, joined_at, pending) "
            "SELECT guild_id, group_id, user_id, ?, 'add' FROM applications WHERE id = ? "
            "ON CONFLICT (group_id, user_id) DO UPDATE SET pending = 'add' "
            "WHERE pending = 'remove'",
            (to_db(now), app_id),
        )
    return _row_application(conn, app_id)


def add_copy(
    conn: sqlite3.Connection, app_id: int, channel_id: int, message_id: int, language: str
) -> None:
    """Remember a copy of the application with Approve / Decline, to update it once decided."""
    conn.execute(
        "INSERT OR IGNORE INTO application_copies (application_id, channel_id, message_id, "
        "language) VALUES (?, ?, ?, ?)",
        (app_id, channel_id, message_id, language),
    )


def set_profile(conn: sqlite3.Connection, profile: Profile, now: datetime) -> None:
    conn.execute(
        "INSERT INTO member_profiles (guild_id, user_id, country, region_code, region_text, "
        "organisation, stakeholder, languages, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET country = excluded.country, "
        "region_code = excluded.region_code, region_text = excluded.region_text, "
        "organisation = excluded.organisation, stakeholder = excluded.stakeholder, "
        "languages = excluded.languages, updated_at = excluded.updated_at",
        (
            profile.guild_id,
            profile.user_id,
            profile.country,
            profile.region_code,
            profile.region_text,
            profile.organisation,
            profile.stakeholder,
            ",".join(profile.languages),
            to_db(now),
        ),
    )


def clear_profile(conn: sqlite3.Connection, guild_id: int, user_id: int) -> bool:
    cursor = conn.execute(
        "DELETE FROM member_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    return cursor.rowcount > 0


def add_region(
    conn: sqlite3.Connection,
    group: GroupRecord,
    key: str,
    code: str | None,
    text: str | None,
    by: int,
    now: datetime,
) -> bool:
    """A region a lead adds to the group; False if it was added before."""
    cursor = conn.execute(
        "INSERT INTO group_regions (guild_id, group_id, region_key, region_code, "
        "region_text, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (group.guild_id, group.id, key, code, text, by, to_db(now)),
    )
    return cursor.rowcount > 0


def remove_region(conn: sqlite3.Connection, group_id: int, key: str) -> bool:
    cursor = conn.execute(
        "DELETE FROM group_regions WHERE group_id = ? AND region_key = ?", (group_id, key)
    )
    return cursor.rowcount > 0


class Groups:
    """The groups feature's reads, each one trip (the writes are the functions above)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- groups -------------------------------------------------------------------------------

    async def get(self, group_id: int) -> GroupRecord | None:
        row = await self.db.fetchone("SELECT * FROM groups WHERE id = ?", (group_id,))
        return _group(row) if row else None

    async def by_key(self, guild_id: int, key: str) -> GroupRecord | None:
        row = await self.db.fetchone(
            "SELECT g.* FROM groups g JOIN group_names n ON n.group_id = g.id "
            "WHERE n.guild_id = ? AND n.key = ?",
            (guild_id, key),
        )
        return _group(row) if row else None

    async def by_channel(self, guild_id: int, channel_id: int) -> GroupRecord | None:
        """The group whose channel this is (a group's events are announced there)."""
        row = await self.db.fetchone(
            "SELECT * FROM groups WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
        )
        return _group(row) if row else None

    async def named(self, guild_id: int, ref: str) -> GroupRecord | None:
        """A group by the id an autocomplete sends, or by a name in either language."""
        ref = ref.strip()
        if ref.isdigit():
            found = await self.get(int(ref))
            if found is not None and found.guild_id == guild_id:
                return found
        return await self.by_key(guild_id, _fold(ref))

    async def taken_keys(self, guild_id: int, except_group: int | None = None) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT key FROM group_names WHERE guild_id = ? AND group_id IS NOT ?",
            (guild_id, except_group),
        )
        return {r[0] for r in rows}

    async def in_guild(
        self, guild_id: int, *, kind: str | None = None, archived: bool | None = False
    ) -> list[GroupRecord]:
        """Groups by name; ``archived`` None lists both."""
        rows = await self.db.fetchall(
            "SELECT * FROM groups WHERE guild_id = ? AND (? IS NULL OR kind = ?) "
            "AND (? IS NULL OR archived = ?) ORDER BY name COLLATE NOCASE",
            (guild_id, kind, kind, archived, archived),
        )
        return [_group(r) for r in rows]

    # -- memberships --------------------------------------------------------------------------
    async def members(self, group_id: int) -> list[Membership]:
        """Leads first, then by join time."""
        rows = await self.db.fetchall(
            "SELECT group_id, user_id, lead FROM memberships "
            "WHERE group_id = ? AND pending IS NOT 'remove' "
            "ORDER BY lead DESC, joined_at, user_id",
            (group_id,),
        )
        return [Membership(r[0], r[1], bool(r[2])) for r in rows]

    async def membership(self, group_id: int, user_id: int) -> Membership | None:
        row = await self.db.fetchone(
            "SELECT group_id, user_id, lead FROM memberships "
            "WHERE group_id = ? AND user_id = ? AND pending IS NOT 'remove'",
            (group_id, user_id),
        )
        return Membership(row[0], row[1], bool(row[2])) if row else None

    async def groups_of(self, guild_id: int, user_id: int) -> list[tuple[GroupRecord, bool]]:
        """The member's groups and whether they lead each."""
        rows = await self.db.fetchall(
            "SELECT g.*, m.lead AS is_lead FROM groups g JOIN memberships m ON m.group_id = g.id "
            "WHERE m.guild_id = ? AND m.user_id = ? AND m.pending IS NOT 'remove' "
            "ORDER BY g.name COLLATE NOCASE",
            (guild_id, user_id),
        )
        return [(_group(r), bool(r["is_lead"])) for r in rows]

    async def sync_state(self, guild_id: int) -> dict[int, dict[int, str | None]]:
        """group -> user -> pending ('add', 'remove' or None), every row in one query: what
        the start-up reconcile compares with Discord's role holders."""
        rows = await self.db.fetchall(
            "SELECT group_id, user_id, pending FROM memberships WHERE guild_id = ?", (guild_id,)
        )
        result: dict[int, dict[int, str | None]] = defaultdict(dict)
        for group_id, user_id, pending in rows:
            result[group_id][user_id] = pending
        return result

    # -- applications -------------------------------------------------------------------------

    async def application(self, app_id: int) -> Application | None:
        row = await self.db.fetchone("SELECT * FROM applications WHERE id = ?", (app_id,))
        return _application(row) if row else None

    async def pending(self, group_id: int, user_id: int) -> Application | None:
        row = await self.db.fetchone(
            "SELECT * FROM applications WHERE group_id = ? AND user_id = ? AND status = 'pending'",
            (group_id, user_id),
        )
        return _application(row) if row else None

    async def last_decided(self, group_id: int, user_id: int) -> Application | None:
        """A member's latest application to a group, if the leads decided it (not withdrawn,
        nor followed by a pending one)."""
        row = await self.db.fetchone(
            "SELECT * FROM applications WHERE group_id = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (group_id, user_id),
        )
        found = _application(row) if row else None
        return found if found and found.status in ("approved", "declined") else None

    async def copies(self, app_id: int) -> list[tuple[int, int, str]]:
        """(channel, message, language) of each copy of an application with its buttons."""
        rows = await self.db.fetchall(
            "SELECT channel_id, message_id, language FROM application_copies "
            "WHERE application_id = ? ORDER BY rowid",
            (app_id,),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def pending_applications(self, group_id: int) -> list[Application]:
        """A group's pending applications, the oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM applications WHERE group_id = ? AND status = 'pending' ORDER BY id",
            (group_id,),
        )
        return [_application(row) for row in rows]

    async def pending_count(self, group_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM applications WHERE group_id = ? AND status = 'pending'",
            (group_id,),
        )
        return int(row[0]) if row else 0

    # -- profiles -----------------------------------------------------------------------------

    async def profile(self, guild_id: int, user_id: int) -> Profile | None:
        row = await self.db.fetchone(
            "SELECT * FROM member_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _profile(row) if row else None

    async def profiles(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, Profile]:
        ids = list(user_ids)
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = await self.db.fetchall(
            "SELECT * FROM member_profiles WHERE guild_id = ? "  # noqa: S608 - placeholders only
            f"AND user_id IN ({marks})",
            (guild_id, *ids),
        )
        return {r["user_id"]: _profile(r) for r in rows}

    async def members_in_region(self, guild_id: int, key: str) -> list[Profile]:
        rows = await self.db.fetchall(
            "SELECT * FROM member_profiles WHERE guild_id = ?", (guild_id,)
        )
        return [p for p in map(_profile, rows) if p.region_key == key]

    async def regions_in_use(self, guild_id: int) -> list[str]:
        """The ISO regions in the server's profiles, the most members first."""
        rows = await self.db.fetchall(
            "SELECT region_code FROM member_profiles "
            "WHERE guild_id = ? AND region_code IS NOT NULL "
            "GROUP BY region_code ORDER BY count(*) DESC, region_code",
            (guild_id,),
        )
        return [row[0] for row in rows]

    # -- regions ------------------------------------------------------------------------------

    async def regions(self, group_id: int) -> list[GroupRegion]:
        """The group's regions: its members' profile regions (with how many members) plus the
        regions its leads added (marked)."""
        rows = await self.db.fetchall(
            "SELECT p.* FROM member_profiles p JOIN memberships m "
            "ON m.guild_id = p.guild_id AND m.user_id = p.user_id "
            "WHERE m.group_id = ? AND m.pending IS NOT 'remove'",
            (group_id,),
        )
        counts: dict[str, int] = defaultdict(int)
        found: dict[str, tuple[str | None, str | None]] = {}
        for profile in map(_profile, rows):
            key = profile.region_key
            if key is not None:
                counts[key] += 1
                found.setdefault(key, (profile.region_code, profile.region_text))
        added = await self.db.fetchall(
            "SELECT region_key, region_code, region_text FROM group_regions WHERE group_id = ?",
            (group_id,),
        )
        lead_added = {r[0] for r in added}
        for key, code, text in added:
            found.setdefault(key, (code, text))
        return sorted(
            (
                GroupRegion(key, code, text, key in lead_added, counts.get(key, 0))
                for key, (code, text) in found.items()
            ),
            key=lambda r: r.key,
        )

    async def groups_in_region(self, guild_id: int, key: str) -> list[GroupRecord]:
        """Every group a region takes part in: through a member's profile or added by a lead."""
        profiles = await self.members_in_region(guild_id, key)
        ids = [p.user_id for p in profiles]
        marks = ", ".join("?" for _ in ids) or "NULL"
        rows = await self.db.fetchall(
            "SELECT DISTINCT g.* FROM groups g WHERE g.guild_id = ? AND g.archived = 0 AND ("  # noqa: S608 - placeholders only
            "g.id IN (SELECT group_id FROM memberships WHERE guild_id = ? "
            f"AND pending IS NOT 'remove' AND user_id IN ({marks})) "
            "OR g.id IN (SELECT group_id FROM group_regions WHERE region_key = ?)) "
            "ORDER BY g.kind, g.name COLLATE NOCASE",
            (guild_id, guild_id, *ids, key),
        )
        return [_group(r) for r in rows]


declare(
    PersonalData("memberships", "user_id", "group memberships", erase="delete"),
    PersonalData("applications", "user_id", "applications to groups", erase="delete"),
    PersonalData("applications", "decided_by", "applications decided", erase="anonymise"),
    PersonalData("member_profiles", "user_id", "profile", erase="delete"),
    PersonalData("groups", "created_by", "groups created", erase="anonymise"),
    PersonalData("group_regions", "added_by", "regions added to groups", erase="anonymise"),
)
