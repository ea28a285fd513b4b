"""Repository for scheduled actions and the sent-log: the scheduler's source of truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from db.database import Database
from db.times import from_db, to_db


@dataclass(frozen=True)
class ScheduledAction:
    """A row of ``scheduled_actions``: something the bot must do once at ``due_at``."""

    id: int
    guild_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    payload: dict[str, Any]
    status: str
    attempts: int


def _action(row: aiosqlite.Row) -> ScheduledAction:
    return ScheduledAction(
        id=row["id"],
        guild_id=row["guild_id"],
        kind=row["kind"],
        dedupe_key=row["dedupe_key"],
        due_at=from_db(row["due_at"]),
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
    )


class ScheduledActions:
    """SQL for ``scheduled_actions`` and ``sent_log``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def upsert(
        conn: aiosqlite.Connection,
        *,
        guild_id: int,
        kind: str,
        dedupe_key: str,
        due_at: datetime,
        payload: dict[str, Any],
        now: datetime,
    ) -> None:
        """Plan an action inside the caller's transaction; re-planning a pending key moves it."""
        await conn.execute(
            """
            INSERT INTO scheduled_actions (guild_id, kind, dedupe_key, due_at, payload, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (dedupe_key) DO UPDATE SET
                due_at = excluded.due_at, payload = excluded.payload,
                status = 'pending', attempts = 0, note = NULL, finished_at = NULL
            WHERE scheduled_actions.status IN ('pending', 'cancelled')
            """,
            (guild_id, kind, dedupe_key, to_db(due_at), json.dumps(payload), to_db(now)),
        )

    @staticmethod
    async def cancel_prefix(conn: aiosqlite.Connection, prefix: str, now: datetime) -> None:
        """Cancel every pending action whose key starts with ``prefix`` (e.g. one event's)."""
        await conn.execute(
            "UPDATE scheduled_actions SET status = 'cancelled', finished_at = ? "
            "WHERE status = 'pending' AND dedupe_key >= ? AND dedupe_key < ?",
            (to_db(now), prefix, prefix + "\uffff"),
        )

    async def next_due(self) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT min(due_at) FROM scheduled_actions WHERE status = 'pending'"
        )
        return from_db(row[0]) if row and row[0] else None

    async def pending_count(self) -> int:
        row = await self.db.fetchone(
            "SELECT count(*) FROM scheduled_actions WHERE status = 'pending'"
        )
        return int(row[0]) if row else 0

    async def due(self, now: datetime, limit: int) -> list[ScheduledAction]:
        rows = await self.db.fetchall(
            "SELECT * FROM scheduled_actions WHERE status = 'pending' AND due_at <= ? "
            "ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_action(r) for r in rows]

    async def by_key(self, dedupe_key: str) -> ScheduledAction | None:
        row = await self.db.fetchone(
            "SELECT * FROM scheduled_actions WHERE dedupe_key = ?", (dedupe_key,)
        )
        return _action(row) if row else None

    async def finish(self, action_id: int, status: str, now: datetime, note: str | None) -> None:
        await self.db.execute(
            "UPDATE scheduled_actions SET status = ?, finished_at = ?, note = ? WHERE id = ?",
            (status, to_db(now), note, action_id),
        )

    async def retry_later(self, action_id: int, due_at: datetime, note: str) -> None:
        await self.db.execute(
            "UPDATE scheduled_actions SET attempts = attempts + 1, due_at = ?, note = ? "
            "WHERE id = ?",
            (to_db(due_at), note, action_id),
        )

    async def was_sent(self, key: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM sent_log WHERE key = ?", (key,)) is not None

    async def intend(self, key: str, guild_id: int, now: datetime) -> datetime:
        """Write down that a send is about to be made; returns when the first attempt began
        (earlier than ``now`` if an attempt was cut off before it was marked sent)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO send_intents (key, guild_id, started_at) VALUES (?, ?, ?)",
                (key, guild_id, to_db(now)),
            )
            async with conn.execute(
                "SELECT started_at FROM send_intents WHERE key = ?", (key,)
            ) as cursor:
                row = await cursor.fetchone()
        return from_db(row[0]) if row else now

    async def mark_sent(self, key: str, guild_id: int, now: datetime) -> None:
        """The send was made: into the sent-log, and its intent is settled."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO sent_log (key, guild_id, sent_at) VALUES (?, ?, ?)",
                (key, guild_id, to_db(now)),
            )
            await conn.execute("DELETE FROM send_intents WHERE key = ?", (key,))
