"""Repository for events, their per-occurrence changes, RSVPs and calendar feed tokens.

Functions on a ``sqlite3.Connection``, run through :class:`db.database.Database` (see its
convention): ``await db.read(events.get, guild_id=g, event_id=e)``; writes that belong together
are composed by the events service into one function for ``db.write``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from db.personal import PersonalData, declare
from db.times import from_db, to_db

# What an edit or cancel writes. Where the announcement, its thread and its Discord mirror are
# is written only by their own setters, so an edit made from a record read a moment earlier
# cannot undo them.
EDITABLE_COLUMNS = (
    "title",
    "description",
    "start_local",
    "start_fold",
    "tz",
    "duration_minutes",
    "format",
    "link",
    "venue",
    "audience_role_id",
    "capacity",
    "reminders",
    "rrule",
    "status",
    "cancelled_occurrence",
)


@dataclass(frozen=True)
class EventRecord:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    thread_id: int | None
    organiser_id: int
    title: str
    description: str
    start_local: datetime  # aware, in the event's zone
    tz: str
    duration: timedelta
    format: str
    link: str | None
    venue: str | None
    audience_role_id: int | None
    capacity: int | None
    reminders: str
    rrule: str | None
    status: str
    discord_event_id: int | None
    sequence: int
    cancelled_occurrence: str | None = None  # the date a cancelled announcement keeps showing


@dataclass(frozen=True)
class OverrideRecord:
    occurrence: str
    start: datetime | None
    duration: timedelta | None
    cancelled: bool


@dataclass(frozen=True)
class RsvpRecord:
    user_id: int
    answer: str
    answered_at: int


def _event(row: sqlite3.Row | Mapping[str, Any]) -> EventRecord:
    zone = ZoneInfo(row["tz"])
    return EventRecord(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        organiser_id=row["organiser_id"],
        title=row["title"],
        description=row["description"],
        start_local=datetime.fromisoformat(row["start_local"]).replace(
            tzinfo=zone, fold=row["start_fold"]
        ),
        tz=row["tz"],
        duration=timedelta(minutes=row["duration_minutes"]),
        format=row["format"],
        link=row["link"],
        venue=row["venue"],
        audience_role_id=row["audience_role_id"],
        capacity=row["capacity"],
        reminders=row["reminders"],
        rrule=row["rrule"],
        status=row["status"],
        discord_event_id=row["discord_event_id"],
        sequence=row["sequence"],
        cancelled_occurrence=row["cancelled_occurrence"],
    )


def _whole_minute(moment: datetime) -> datetime:
    """Times are whole minutes (bot.timeparse cuts seconds where a time comes in), and occurrence
    keys are made of them: one with seconds here is a bug, refused rather than silently cut."""
    if moment.second or moment.microsecond:
        raise ValueError(f"{moment} is not on a whole minute")
    return moment


def _minutes(length: timedelta) -> int:
    """A length as stored, in whole minutes (like times, never silently cut)."""
    minutes, rest = divmod(length, timedelta(minutes=1))
    if rest:
        raise ValueError(f"{length} is not whole minutes")
    return minutes


def _fold(moment: datetime) -> int:
    """1 when ``moment`` is the second time its wall-clock time happens (the hour the clocks
    turn back), which the wall-clock text alone would read as the first; else 0."""
    return int(moment.astimezone(UTC) != moment.replace(fold=0).astimezone(UTC))


def _local_text(moment: datetime) -> str:
    """Wall-clock time without offset: the zone is stored beside it, so DST cannot shift it."""
    return _whole_minute(moment).replace(tzinfo=None).isoformat(timespec="minutes")


def event_values(record: EventRecord) -> dict[str, Any]:
    """The record as column values (the inverse of reading a row)."""
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    values["start_local"] = _local_text(record.start_local)
    values["start_fold"] = _fold(record.start_local)
    values["duration_minutes"] = _minutes(record.duration)
    del values["duration"]
    return values


# -- events -----------------------------------------------------------------------------------


def insert(conn: sqlite3.Connection, record: EventRecord, now: datetime) -> int:
    """A new event; returns its id."""
    values = event_values(record)
    del values["id"]
    values["created_at"] = values["updated_at"] = to_db(now)
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = conn.execute(
        f"INSERT INTO events ({columns}) VALUES ({marks})",  # noqa: S608 - fixed column names
        tuple(values.values()),
    )
    return cursor.lastrowid or 0


def update(conn: sqlite3.Connection, record: EventRecord, now: datetime) -> None:
    """Write the editable columns and raise the calendar SEQUENCE, so calendar apps that
    imported the event take the change."""
    values = event_values(record)
    assignments = ", ".join(f"{c} = ?" for c in EDITABLE_COLUMNS)
    conn.execute(
        f"UPDATE events SET {assignments}, updated_at = ?, "  # noqa: S608 - fixed columns
        "sequence = sequence + 1 WHERE id = ?",
        (*(values[c] for c in EDITABLE_COLUMNS), to_db(now), record.id),
    )


def delete(conn: sqlite3.Connection, event_id: int) -> None:
    """Remove an event that could not be announced (its answers and changes go with it)."""
    conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


def set_message(
    conn: sqlite3.Connection, event_id: int, message_id: int, thread_id: int | None
) -> None:
    """Where the announcement (and its discussion thread, if any) was posted."""
    conn.execute(
        "UPDATE events SET message_id = ?, thread_id = ? WHERE id = ?",
        (message_id, thread_id, event_id),
    )


def place(
    conn: sqlite3.Connection,
    event_id: int,
    channel_id: int,
    message_id: int | None,
    thread_id: int | None,
) -> None:
    """Where the announcement now is, after it moved to another channel or its thread was
    opened or closed."""
    conn.execute(
        "UPDATE events SET channel_id = ?, message_id = ?, thread_id = ? WHERE id = ?",
        (channel_id, message_id, thread_id, event_id),
    )


def set_discord_event(
    conn: sqlite3.Connection, event_id: int, discord_event_id: int | None
) -> None:
    """The id of the event's mirror in Discord's own events list."""
    conn.execute(
        "UPDATE events SET discord_event_id = ? WHERE id = ?", (discord_event_id, event_id)
    )


def get(conn: sqlite3.Connection, *, guild_id: int | None, event_id: int) -> EventRecord | None:
    """An event by id, within ``guild_id`` unless it is None (background work that has no
    guild in hand)."""
    if guild_id is None:
        row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    else:
        row = conn.execute(
            "SELECT * FROM events WHERE guild_id = ? AND id = ?", (guild_id, event_id)
        ).fetchone()
    return _event(row) if row else None


def in_guild(
    conn: sqlite3.Connection, guild_id: int, *, include_cancelled: bool = False
) -> list[EventRecord]:
    sql = "SELECT * FROM events WHERE guild_id = ?"
    if not include_cancelled:
        sql += " AND status = 'scheduled'"
    return [_event(r) for r in conn.execute(sql + " ORDER BY id", (guild_id,))]


# -- per-occurrence changes --------------------------------------------------------------------


def overrides(conn: sqlite3.Connection, event_id: int) -> dict[str, OverrideRecord]:
    """The per-occurrence changes of one event, by occurrence key."""
    rows = conn.execute("SELECT * FROM event_overrides WHERE event_id = ?", (event_id,))
    return {
        r["occurrence"]: OverrideRecord(
            occurrence=r["occurrence"],
            start=from_db(r["start_utc"]) if r["start_utc"] else None,
            duration=timedelta(minutes=r["duration_minutes"]) if r["duration_minutes"] else None,
            cancelled=bool(r["cancelled"]),
        )
        for r in rows
    }


def put_override(conn: sqlite3.Connection, event_id: int, override: OverrideRecord) -> None:
    conn.execute(
        "INSERT INTO event_overrides (guild_id, event_id, occurrence, start_utc, "
        "duration_minutes, cancelled) VALUES ((SELECT guild_id FROM events WHERE id = ?1), "
        "?1, ?2, ?3, ?4, ?5) ON CONFLICT (event_id, occurrence) DO UPDATE SET "
        "start_utc = excluded.start_utc, duration_minutes = excluded.duration_minutes, "
        "cancelled = excluded.cancelled",
        (
            event_id,
            override.occurrence,
            to_db(_whole_minute(override.start)) if override.start else None,
            _minutes(override.duration) if override.duration else None,
            int(override.cancelled),
        ),
    )
    conn.execute("UPDATE events SET sequence = sequence + 1 WHERE id = ?", (event_id,))


def occurrence_keys(conn: sqlite3.Connection, event_id: int) -> set[str]:
    """Every occurrence of an event that has answers or changes stored."""
    rows = conn.execute(
        "SELECT occurrence FROM rsvps WHERE event_id = ?1 "
        "UNION SELECT occurrence FROM event_overrides WHERE event_id = ?1",
        (event_id,),
    )
    return {r[0] for r in rows}


def rename_occurrences(
    conn: sqlite3.Connection, event_id: int, renames: dict[str, str | None]
) -> None:
    """Carry answers and per-occurrence changes to occurrences' new keys after the event's
    times moved; where the new key already has its own, or there is no new key, the old ones
    go."""
    for table in ("rsvps", "event_overrides"):
        for old, new in renames.items():
            if new is not None:
                conn.execute(
                    f"UPDATE OR IGNORE {table} SET occurrence = ? "  # noqa: S608 - fixed names
                    "WHERE event_id = ? AND occurrence = ?",
                    (new, event_id, old),
                )
            conn.execute(
                f"DELETE FROM {table} WHERE event_id = ? AND occurrence = ?",  # noqa: S608
                (event_id, old),
            )


# -- RSVPs ---------------------------------------------------------------------------------------


def counts(conn: sqlite3.Connection, event_id: int, occurrence: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT answer, count(*) FROM rsvps WHERE event_id = ? AND occurrence = ? GROUP BY answer",
        (event_id, occurrence),
    )
    return {r[0]: r[1] for r in rows}


def rsvps(conn: sqlite3.Connection, event_id: int, occurrence: str) -> list[RsvpRecord]:
    """Every answer for one occurrence, in the order given (the waitlist's order)."""
    rows = conn.execute(
        "SELECT user_id, answer, answered_at FROM rsvps WHERE event_id = ? "
        "AND occurrence = ? ORDER BY answered_at",
        (event_id, occurrence),
    )
    return [RsvpRecord(r[0], r[1], r[2]) for r in rows]


def answers_of(
    conn: sqlite3.Connection, user_id: int, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], str]:
    """One member's answers for several (event, occurrence) pairs, for /event list."""
    if not keys:
        return {}
    marks = ", ".join("?" for _ in keys)
    sql = (
        "SELECT event_id, occurrence, answer FROM rsvps "  # noqa: S608 - placeholders only
        f"WHERE user_id = ? AND event_id IN ({marks})"
    )
    rows = conn.execute(sql, (user_id, *(k[0] for k in keys)))
    wanted = set(keys)
    return {(r[0], r[1]): r[2] for r in rows if (r[0], r[1]) in wanted}


def rsvp_of(conn: sqlite3.Connection, event_id: int, occurrence: str, user_id: int) -> str | None:
    row = conn.execute(
        "SELECT answer FROM rsvps WHERE event_id = ? AND occurrence = ? AND user_id = ?",
        (event_id, occurrence, user_id),
    ).fetchone()
    return row[0] if row else None


MAX_SEQUENCE = 2**63 - 1  # SQLite's largest integer: after every answered_at


def going_and_waitlist(
    conn: sqlite3.Connection, event_id: int, occurrence: str
) -> tuple[int, list[int]]:
    """How many are going, and the waitlist in order."""
    return going_count(conn, event_id, occurrence), waitlist(conn, event_id, occurrence)


def going_count(conn: sqlite3.Connection, event_id: int, occurrence: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM rsvps WHERE event_id = ? AND occurrence = ? AND answer = 'going'",
        (event_id, occurrence),
    ).fetchone()
    return int(row[0]) if row else 0


def waitlist(
    conn: sqlite3.Connection, event_id: int, occurrence: str, limit: int | None = None
) -> list[int]:
    """The waitlist in order (its first ``limit`` members: those a freed seat moves up)."""
    rows = conn.execute(
        "SELECT user_id FROM rsvps WHERE event_id = ? AND occurrence = ? "
        "AND answer = 'waitlist' ORDER BY answered_at LIMIT ?",
        (event_id, occurrence, -1 if limit is None else limit),
    )
    return [r[0] for r in rows]


def waitlist_place(conn: sqlite3.Connection, event_id: int, occurrence: str, user_id: int) -> int:
    """The member's place on the waitlist (1: the next to move up), or the place they would
    get, after the last, when they are not on it. Counted in the index: no row is read."""
    mine = conn.execute(
        "SELECT answered_at FROM rsvps WHERE event_id = ? AND occurrence = ? AND user_id = ? "
        "AND answer = 'waitlist'",
        (event_id, occurrence, user_id),
    ).fetchone()
    ahead = conn.execute(
        "SELECT count(*) FROM rsvps WHERE event_id = ? AND occurrence = ? "
        "AND answer = 'waitlist' AND answered_at <= ?",
        (event_id, occurrence, mine[0] if mine else MAX_SEQUENCE),
    ).fetchone()
    return int(ahead[0]) + (0 if mine else 1)


def going_counts(conn: sqlite3.Connection, event_id: int) -> dict[str, int]:
    """How many are going to each occurrence that has anyone going."""
    rows = conn.execute(
        "SELECT occurrence, count(*) FROM rsvps WHERE event_id = ? AND answer = 'going' "
        "GROUP BY occurrence",
        (event_id,),
    )
    return {r[0]: r[1] for r in rows}


def going_in_order(conn: sqlite3.Connection, event_id: int, occurrence: str) -> list[int]:
    """Who is going, in the order they answered."""
    rows = conn.execute(
        "SELECT user_id FROM rsvps WHERE event_id = ? AND occurrence = ? AND answer = 'going' "
        "ORDER BY answered_at",
        (event_id, occurrence),
    )
    return [r[0] for r in rows]


def to_waitlist(
    conn: sqlite3.Connection, event_id: int, occurrence: str, user_ids: list[int]
) -> None:
    """Move members from going to the waitlist, each keeping when they answered: they stand
    in the waitlist by that, ahead of those who answered after them."""
    conn.executemany(
        "UPDATE rsvps SET answer = 'waitlist' WHERE event_id = ? AND occurrence = ? "
        "AND user_id = ? AND answer = 'going'",
        [(event_id, occurrence, user_id) for user_id in user_ids],
    )


def put_rsvp(
    conn: sqlite3.Connection, event_id: int, occurrence: str, user_id: int, answer: str
) -> None:
    """Store an answer; the waitlist order is kept when the answer does not change."""
    conn.execute(
        "INSERT INTO rsvps (guild_id, event_id, occurrence, user_id, answer, answered_at) "
        "VALUES ((SELECT guild_id FROM events WHERE id = ?1), ?1, ?2, ?3, ?4, "
        "(SELECT coalesce(max(answered_at), 0) + 1 FROM rsvps)) "
        "ON CONFLICT (event_id, occurrence, user_id) DO UPDATE SET "
        "answer = excluded.answer, answered_at = excluded.answered_at "
        "WHERE rsvps.answer != excluded.answer",
        (event_id, occurrence, user_id, answer),
    )


# -- calendar feed ---------------------------------------------------------------------------


def feed_token(conn: sqlite3.Connection, guild_id: int, new_token: str) -> str:
    """The guild's unguessable feed token; ``new_token`` becomes it on first use."""
    conn.execute(
        "INSERT OR IGNORE INTO calendar_feeds (guild_id, token) VALUES (?, ?)",
        (guild_id, new_token),
    )
    row = conn.execute("SELECT token FROM calendar_feeds WHERE guild_id = ?", (guild_id,))
    return str(row.fetchone()[0])


def guild_of_feed(conn: sqlite3.Connection, token: str) -> int | None:
    row = conn.execute("SELECT guild_id FROM calendar_feeds WHERE token = ?", (token,)).fetchone()
    return int(row[0]) if row else None


# -- edits waiting for the organiser's answer ------------------------------------------------


@dataclass(frozen=True)
class PendingEdit:
    """An /event edit asked about, as stored: the event's sequence when asked, the event as
    it is to become (the editable columns as asked, the rest as the event is now), the key of
    the date shown, whether it moves channel, the thread toggle and the notes to answer with."""

    sequence: int
    new: EventRecord
    before: str
    moving: bool
    thread: bool | None
    notes: list[str]
    asked_at: datetime


def put_pending_edit(conn: sqlite3.Connection, edit: PendingEdit, *, drop_before: datetime) -> int:
    """Store an edit waiting for an answer, and drop those asked before ``drop_before``."""
    conn.execute("DELETE FROM pending_edits WHERE asked_at < ?", (to_db(drop_before),))
    new = event_values(edit.new)
    values = {
        # Only what an edit changes: the rest (the organiser among it) is read from the event.
        "new": {c: new[c] for c in (*EDITABLE_COLUMNS, "channel_id")},
        "before": edit.before,
        "moving": edit.moving,
        "thread": edit.thread,
        "notes": edit.notes,
    }
    cursor = conn.execute(
        "INSERT INTO pending_edits (event_id, sequence, edit, asked_at) VALUES (?, ?, ?, ?)",
        (edit.new.id, edit.sequence, json.dumps(values), to_db(edit.asked_at)),
    )
    return cursor.lastrowid or 0


def pending_edit(conn: sqlite3.Connection, pending_id: int) -> PendingEdit | None:
    row = conn.execute(
        "SELECT event_id, sequence, edit, asked_at FROM pending_edits WHERE id = ?", (pending_id,)
    ).fetchone()
    if row is None:
        return None
    values = json.loads(row["edit"])
    event = get(conn, guild_id=None, event_id=row["event_id"])
    if event is None:
        return None
    return PendingEdit(
        sequence=row["sequence"],
        new=_event({**event_values(event), **values["new"]}),
        before=values["before"],
        moving=values["moving"],
        thread=values["thread"],
        notes=values["notes"],
        asked_at=from_db(row["asked_at"]),
    )


declare(
    PersonalData("rsvps", "user_id", "answers to events", erase="delete"),
    PersonalData("events", "organiser_id", "events organised", erase="anonymise"),
)
