"""Repository for support requests: the request, its history, transcripts and guild limits.

Writers take the caller's connection, so a state change, its history row and the nudges it
plans commit together. A state change names the version it was decided on: when someone else
changed the request meanwhile (two staff pressing Claim at once) it writes nothing and says so.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.database import Database
from db.personal import PersonalData, declare
from db.times import from_db, to_db


def _when(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def _text(moment: datetime | None) -> str | None:
    return to_db(moment) if moment is not None else None


@dataclass(frozen=True)
class SupportRequest:
    """A stored request, with where its thread, card and notes live on Discord."""

    id: int
    guild_id: int
    requester_id: int
    topic: str
    need: str
    region: str
    group_name: str | None
    language: str
    status: str
    claimed_by: int | None
    claimed_at: datetime | None
    first_claimed_at: datetime | None
    resolved_at: datetime | None
    resolved_by: int | None
    outcome: str | None
    awaiting_staff_since: datetime | None
    version: int
    thread_id: int | None
    card_channel_id: int | None
    card_message_id: int | None
    notes_thread_id: int | None
    posted: bool
    created_at: datetime
    updated_at: datetime


def _request(row: sqlite3.Row) -> SupportRequest:
    return SupportRequest(
        id=row["id"],
        guild_id=row["guild_id"],
        requester_id=row["requester_id"],
        topic=row["topic"],
        need=row["need"],
        region=row["region"],
        group_name=row["group_name"],
        language=row["language"],
        status=row["status"],
        claimed_by=row["claimed_by"],
        claimed_at=_when(row["claimed_at"]),
        first_claimed_at=_when(row["first_claimed_at"]),
        resolved_at=_when(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        outcome=row["outcome"],
        awaiting_staff_since=_when(row["awaiting_staff_since"]),
        version=row["version"],
        thread_id=row["thread_id"],
        card_channel_id=row["card_channel_id"],
        card_message_id=row["card_message_id"],
        notes_thread_id=row["notes_thread_id"],
        posted=bool(row["posted"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


@dataclass(frozen=True)
class NewRequest:
    """What a member asked, as the form checked it."""

    guild_id: int
    requester_id: int
    topic: str
    need: str
    region: str
    group_name: str | None
    language: str


@dataclass(frozen=True)
class StateChange:
    """The status fields after an action, and the history row that explains it."""

    status: str
    claimed_by: int | None
    claimed_at: datetime | None
    resolved_at: datetime | None
    awaiting_staff_since: datetime | None
    actor_id: int
    action: str | None  # None: no history row (a message moved the waiting clock)
    resolved_by: int | None = None
    outcome: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor_id: int
    action: str
    from_status: str | None
    to_status: str
    note: str | None


@dataclass(frozen=True)
class KeptMessage:
    """One message of a thread's transcript."""

    message_id: int
    author_id: int
    author_name: str
    created_at: datetime
    content: str


@dataclass(frozen=True)
class KeptFile:
    """An attachment copied into the database."""

    id: int
    message_id: int
    attachment_id: int
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class SupportLimits:
    """How many open requests one member may have, and which roles may not ask."""

    max_open: int
    excluded_role_ids: frozenset[int]


class SupportRequests:
    """SQL for the support feature."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- requests -----------------------------------------------------------------------------

    @staticmethod
    def insert(conn: sqlite3.Connection, new: NewRequest, now: datetime) -> int:
        """Write the request and its first history row; nothing is on Discord yet."""
        cursor = conn.execute(
            "INSERT INTO support_requests (guild_id, requester_id, topic, need, region, "
            "group_name, language, awaiting_staff_since, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.guild_id,
                new.requester_id,
                new.topic,
                new.need,
                new.region,
                new.group_name,
                new.language,
                to_db(now),
                to_db(now),
                to_db(now),
            ),
        )
        request_id = cursor.lastrowid or 0
        conn.execute(
            "INSERT INTO support_history (request_id, at, actor_id, action, from_status, "
            "to_status) VALUES (?, ?, ?, 'open', NULL, 'new')",
            (request_id, to_db(now), new.requester_id),
        )
        return request_id

    @staticmethod
    def change(
        conn: sqlite3.Connection,
        before: SupportRequest,
        change: StateChange,
        now: datetime,
    ) -> bool:
        """Apply ``change`` if the request is still at ``before.version``; False if not."""
        cursor = conn.execute(
            "UPDATE support_requests SET status = ?, claimed_by = ?, claimed_at = ?, "
            "first_claimed_at = coalesce(first_claimed_at, ?), resolved_at = ?, "
            "resolved_by = coalesce(?, resolved_by), outcome = coalesce(?, outcome), "
            "awaiting_staff_since = ?, version = version + 1, updated_at = ? "
            "WHERE id = ? AND version = ?",
            (
                change.status,
                change.claimed_by,
                _text(change.claimed_at),
                _text(change.claimed_at),
                _text(change.resolved_at),
                change.resolved_by,
                change.outcome,
                _text(change.awaiting_staff_since),
                to_db(now),
                before.id,
                before.version,
            ),
        )
        if cursor.rowcount != 1:
            return False
        if change.action is not None:
            conn.execute(
                "INSERT INTO support_history (request_id, at, actor_id, action, from_status, "
                "to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    before.id,
                    to_db(now),
                    change.actor_id,
                    change.action,
                    before.status,
                    change.status,
                    change.note,
                ),
            )
        return True

    @staticmethod
    def set_places(conn: sqlite3.Connection, request_id: int, **places: int | None) -> None:
        """Record where the thread, card or notes thread are, as soon as each exists."""
        allowed = {"thread_id", "card_channel_id", "card_message_id", "notes_thread_id"}
        if not places or set(places) - allowed:
            raise ValueError(f"unknown places: {sorted(set(places) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in places)
        conn.execute(
            f"UPDATE support_requests SET {assignments} WHERE id = ?",  # noqa: S608 - fixed names
            (*places.values(), request_id),
        )

    @staticmethod
    def mark_posted(conn: sqlite3.Connection, request_id: int) -> None:
        conn.execute("UPDATE support_requests SET posted = 1 WHERE id = ?", (request_id,))

    async def get(self, request_id: int) -> SupportRequest | None:
        row = await self.db.fetchone("SELECT * FROM support_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def by_thread(self, thread_id: int) -> SupportRequest | None:
        """The request whose private thread (or notes thread) this is."""
        row = await self.db.fetchone(
            "SELECT * FROM support_requests WHERE thread_id = ?1 OR notes_thread_id = ?1",
            (thread_id,),
        )
        return _request(row) if row else None

    @staticmethod
    def select(conn: sqlite3.Connection, request_id: int) -> SupportRequest | None:
        """One request, inside the caller's write (to plan from what was just stored)."""
        row = conn.execute("SELECT * FROM support_requests WHERE id = ?", (request_id,)).fetchone()
        return _request(row) if row else None

    @staticmethod
    def count_open(conn: sqlite3.Connection, guild_id: int, requester_id: int) -> int:
        """Open requests of one member, inside the caller's write (so two forms sent at once
        cannot both pass the limit)."""
        row = conn.execute(
            "SELECT count(*) FROM support_requests WHERE guild_id = ? AND requester_id = ? "
            "AND status != 'resolved'",
            (guild_id, requester_id),
        ).fetchone()
        return int(row[0]) if row else 0

    async def by_card(self, message_id: int) -> SupportRequest | None:
        """The request whose triage card this message is."""
        row = await self.db.fetchone(
            "SELECT * FROM support_requests WHERE card_message_id = ?", (message_id,)
        )
        return _request(row) if row else None

    async def open_count(self, guild_id: int, requester_id: int) -> int:
        return await self.db.read(self.count_open, guild_id, requester_id)

    async def in_guild(
        self,
        guild_id: int,
        *,
        statuses: tuple[str, ...] | None = None,
        claimed_by: int | None = None,
        requester_id: int | None = None,
    ) -> list[SupportRequest]:
        """Requests oldest first, filtered by status, claimer or requester."""
        sql = "SELECT * FROM support_requests WHERE guild_id = ?"
        params: list[Any] = [guild_id]
        if statuses:
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
            params.extend(statuses)
        if claimed_by is not None:
            sql += " AND claimed_by = ?"
            params.append(claimed_by)
        if requester_id is not None:
            sql += " AND requester_id = ?"
            params.append(requester_id)
        rows = await self.db.fetchall(sql + " ORDER BY id", tuple(params))
        return [_request(r) for r in rows]

    async def unfinished(self) -> list[SupportRequest]:
        """Open or not fully posted requests in every guild: re-planned at start-up."""
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE status != 'resolved' OR posted = 0 ORDER BY id"
        )
        return [_request(r) for r in rows]

    async def history(self, request_id: int) -> list[HistoryEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_history WHERE request_id = ? ORDER BY id", (request_id,)
        )
        return [
            HistoryEntry(
                from_db(r["at"]),
                r["actor_id"],
                r["action"],
                r["from_status"],
                r["to_status"],
                r["note"],
            )
            for r in rows
        ]

    # -- transcripts --------------------------------------------------------------------------

    @staticmethod
    def keep_transcript(
        conn: sqlite3.Connection,
        request_id: int,
        messages: list[KeptMessage],
        files: list[tuple[int, int, str, str | None, bytes]],
    ) -> int:
        """Store messages and copied files not kept yet, in one transaction; returns how many
        messages were new. ``files`` are (message_id, attachment_id, filename, type, data)."""
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO support_messages (request_id, message_id, author_id, "
            "author_name, created_at, content) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    request_id,
                    m.message_id,
                    m.author_id,
                    m.author_name,
                    to_db(m.created_at),
                    m.content,
                )
                for m in messages
            ],
        )
        added = conn.total_changes - before
        conn.executemany(
            "INSERT OR IGNORE INTO support_files (request_id, message_id, attachment_id, "
            "filename, content_type, data) VALUES (?, ?, ?, ?, ?, ?)",
            [(request_id, *f) for f in files],
        )
        return added

    async def kept_attachment_ids(self, request_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT attachment_id FROM support_files WHERE request_id = ?", (request_id,)
        )
        return {r[0] for r in rows}

    async def transcript(self, request_id: int) -> list[KeptMessage]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_messages WHERE request_id = ? ORDER BY message_id",
            (request_id,),
        )
        return [
            KeptMessage(
                r["message_id"],
                r["author_id"],
                r["author_name"],
                from_db(r["created_at"]),
                r["content"],
            )
            for r in rows
        ]

    async def files(self, request_id: int) -> list[KeptFile]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_files WHERE request_id = ? ORDER BY message_id, id",
            (request_id,),
        )
        return [
            KeptFile(
                r["id"],
                r["message_id"],
                r["attachment_id"],
                r["filename"],
                r["content_type"],
                bytes(r["data"]),
            )
            for r in rows
        ]

    # -- limits -------------------------------------------------------------------------------

    async def limits(self, guild_id: int, default: SupportLimits) -> SupportLimits:
        """The guild's limits as the secretariat set them, else the configured default."""
        row = await self.db.fetchone(
            "SELECT max_open, excluded_role_ids FROM support_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return default
        return SupportLimits(row[0], frozenset(int(r) for r in json.loads(row[1])))

    @staticmethod
    def set_limits(
        conn: sqlite3.Connection,
        guild_id: int,
        limits: SupportLimits,
        updated_by: int,
        now: datetime,
    ) -> None:
        conn.execute(
            "INSERT INTO support_settings (guild_id, max_open, excluded_role_ids, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "max_open = excluded.max_open, excluded_role_ids = excluded.excluded_role_ids, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (
                guild_id,
                limits.max_open,
                json.dumps(sorted(limits.excluded_role_ids)),
                updated_by,
                to_db(now),
            ),
        )


declare(
    PersonalData("support_requests", "requester_id", "support requests", erase="anonymise"),
    PersonalData("support_requests", "claimed_by", "support requests handled", erase="anonymise"),
    PersonalData("support_requests", "resolved_by", "support requests resolved", erase="anonymise"),
    PersonalData("support_messages", "author_id", "messages in support threads", erase="anonymise"),
    PersonalData("support_history", "actor_id", "actions on support requests", erase="anonymise"),
    PersonalData("support_settings", "updated_by", "support settings changed", erase="anonymise"),
)
