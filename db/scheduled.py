"""Repository for scheduled actions and the sent-log: the scheduler's source of truth.

Functions on a ``sqlite3.Connection``, run through :class:`db.database.Database` (see its
convention)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


def _action(row: sqlite3.Row) -> ScheduledAction:
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


# -- planning (inside the caller's write) -----------------------------------------------------


def upsert(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    kind: str,
    dedupe_key: str,
    due_at: datetime,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    """Plan an action; re-planning a pending (or cancelled) key moves it."""
    conn.execute(
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


def count_prefix(conn: sqlite3.Connection, prefix: str) -> int:
    """How many actions, in any state, have a key starting with ``prefix``."""
    row = conn.execute(
        "SELECT count(*) FROM scheduled_actions WHERE dedupe_key >= ? AND dedupe_key < ?",
        (prefix, prefix + "\uffff"),
    ).fetchone()
    return int(row[0]) if row else 0


def cancel_prefix(conn: sqlite3.Connection, prefix: str, now: datetime) -> None:
    """Cancel every pending action whose key starts with ``prefix`` (e.g. one event's)."""
    conn.execute(
        "UPDATE scheduled_actions SET status = 'cancelled', finished_at = ? "
        "WHERE status = 'pending' AND dedupe_key >= ? AND dedupe_key < ?",
        (to_db(now), prefix, prefix + "\uffff"),
    )


# -- the dispatcher's reads and bookkeeping ----------------------------------------------------


def next_due(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute(
        "SELECT min(due_at) FROM scheduled_actions WHERE status = 'pending'"
    ).fetchone()
    return from_db(row[0]) if row and row[0] else None


def pending_count(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM scheduled_actions WHERE status = 'pending'").fetchone()
    return int(row[0]) if row else 0


def due(conn: sqlite3.Connection, now: datetime, limit: int) -> list[ScheduledAction]:
    rows = conn.execute(
        "SELECT * FROM scheduled_actions WHERE status = 'pending' AND due_at <= ? "
        "ORDER BY due_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [_action(r) for r in rows]


def by_key(conn: sqlite3.Connection, dedupe_key: str) -> ScheduledAction | None:
    row = conn.execute(
        "SELECT * FROM scheduled_actions WHERE dedupe_key = ?", (dedupe_key,)
    ).fetchone()
    return _action(row) if row else None


def finish(
    conn: sqlite3.Connection, action_id: int, status: str, now: datetime, note: str | None
) -> None:
    conn.execute(
        "UPDATE scheduled_actions SET status = ?, finished_at = ?, note = ? WHERE id = ?",
        (status, to_db(now), note, action_id),
    )


def retry_later(conn: sqlite3.Connection, action_id: int, due_at: datetime, note: str) -> None:
    conn.execute(
        "UPDATE scheduled_actions SET attempts = attempts + 1, due_at = ?, note = ? WHERE id = ?",
        (to_db(due_at), note, action_id),
    )


# -- the sent-log: what was sent once, by key ---------------------------------------------------


def was_sent(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM sent_log WHERE key = ?", (key,)).fetchone() is not None


def intend(conn: sqlite3.Connection, key: str, guild_id: int, now: datetime) -> datetime:
    """Write down that a send is about to be made; returns when the first attempt began
    (earlier than ``now`` if an attempt was cut off before it was marked sent)."""
    conn.execute(
        "INSERT OR IGNORE INTO send_intents (key, guild_id, started_at) VALUES (?, ?, ?)",
        (key, guild_id, to_db(now)),
    )
    row = conn.execute("SELECT started_at FROM send_intents WHERE key = ?", (key,)).fetchone()
    return from_db(row[0]) if row else now


def mark_sent(conn: sqlite3.Connection, key: str, guild_id: int, now: datetime) -> None:
    """The send was made: into the sent-log, and its intent is settled."""
    conn.execute(
        "INSERT OR IGNORE INTO sent_log (key, guild_id, sent_at) VALUES (?, ?, ?)",
        (key, guild_id, to_db(now)),
    )
    conn.execute("DELETE FROM send_intents WHERE key = ?", (key,))
