"""Repository for polls, their electorates and ballots, and the secret that keys voters' hashes.

Secret ballots: a ballot is stored under HMAC(poll secret, unit), where the unit is the voter's
member id (or their region's key when each region has one vote). While the poll is open the
secret finds a voter's ballot again, so they can change it and be reminded if they have not
voted. At close the secret is deleted, the poll's ballots are rewritten in key order (so page
layout keeps no trace of the order they came in), and the write-ahead log is checkpointed and
truncated; with ``secure_delete`` on, the freed bytes are zeros. The secret never leaves this
module. Public polls keep the unit beside the ballot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.personal import PersonalData, declare
from db.times import from_db, to_db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewPoll:
    guild_id: int
    channel_id: int
    creator_id: int
    group_id: int | None
    question: str
    description: str
    options: tuple[str, ...]
    mode: str
    min_choices: int
    max_choices: int
    winners: int
    secret: bool
    live_results: bool
    electorate_kind: str  # channel | role | group | region
    electorate_ref: int
    quorum_percent: int | None
    closes_at: datetime | None
    remind_minutes: int | None


@dataclass(frozen=True)
class PollRecord(NewPoll):
    id: int
    message_id: int | None
    electorate_size: int
    status: str  # open | closed
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Elector:
    user_id: int
    unit: str


def _poll(row: sqlite3.Row) -> PollRecord:
    return PollRecord(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        creator_id=row["creator_id"],
        group_id=row["group_id"],
        question=row["question"],
        description=row["description"],
        options=tuple(json.loads(row["options"])),
        mode=row["mode"],
        min_choices=row["min_choices"],
        max_choices=row["max_choices"],
        winners=row["winners"],
        secret=bool(row["secret"]),
        live_results=bool(row["live_results"]),
        electorate_kind=row["electorate_kind"],
        electorate_ref=row["electorate_ref"],
        electorate_size=row["electorate_size"],
        quorum_percent=row["quorum_percent"],
        closes_at=from_db(row["closes_at"]) if row["closes_at"] else None,
        remind_minutes=row["remind_minutes"],
        status=row["status"],
        closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
    )


def _hash(key: bytes, unit: str) -> bytes:
    return hmac.new(key, unit.encode(), hashlib.sha256).digest()


class PollClosedError(Exception):
    """The poll closed before the ballot reached the database; nothing was recorded."""


class Polls:
    """Reads of ``polls``, ``poll_electors``, ``poll_secrets`` and ``poll_ballots``; the writes
    are functions on the caller's connection (``create``, ``delete``, :func:`set_message`,
    :func:`cast_ballot`, :func:`close`), which the polls service runs in its ``_commit``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def create(
        conn: sqlite3.Connection, poll: NewPoll, electors: Sequence[Elector], now: datetime
    ) -> PollRecord:
        """Store a poll, its fixed electorate and its fresh secret inside the caller's
        transaction (the caller plans the close and reminder in the same one)."""
        size = len({e.unit for e in electors})
        cursor = conn.execute(
            "INSERT INTO polls (guild_id, channel_id, creator_id, group_id, question, "
            "description, options, mode, min_choices, max_choices, winners, secret, "
            "live_results, electorate_kind, electorate_ref, electorate_size, quorum_percent, "
            "closes_at, remind_minutes, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                poll.guild_id,
                poll.channel_id,
                poll.creator_id,
                poll.group_id,
                poll.question,
                poll.description,
                json.dumps(poll.options, ensure_ascii=False),
                poll.mode,
                poll.min_choices,
                poll.max_choices,
                poll.winners,
                int(poll.secret),
                int(poll.live_results),
                poll.electorate_kind,
                poll.electorate_ref,
                size,
                poll.quorum_percent,
                to_db(poll.closes_at) if poll.closes_at else None,
                poll.remind_minutes,
                to_db(now),
            ),
        )
        poll_id = cursor.lastrowid
        assert poll_id is not None
        conn.executemany(
            "INSERT INTO poll_electors (poll_id, user_id, unit) VALUES (?, ?, ?)",
            [(poll_id, e.user_id, e.unit) for e in electors],
        )
        conn.execute(
            "INSERT INTO poll_secrets (poll_id, key) VALUES (?, ?)",
            (poll_id, secrets.token_bytes(32)),
        )
        return PollRecord(
            **vars(poll),
            id=poll_id,
            message_id=None,
            electorate_size=size,
            status="open",
            closed_at=None,
        )

    @staticmethod
    def delete(conn: sqlite3.Connection, poll_id: int) -> None:
        """Undo a poll whose message could not be posted (inside the caller's write)."""
        conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))

    async def get(self, poll_id: int) -> PollRecord | None:
        row = await self.db.fetchone("SELECT * FROM polls WHERE id = ?", (poll_id,))
        return _poll(row) if row else None

    async def in_guild(self, guild_id: int, *, status: str = "open") -> list[PollRecord]:
        rows = await self.db.fetchall(
            "SELECT * FROM polls WHERE guild_id = ? AND status = ? ORDER BY group_id, id",
            (guild_id, status),
        )
        return [_poll(r) for r in rows]

    # -- electorate ---------------------------------------------------------------------------

    async def non_voters(self, poll_id: int) -> list[int]:
        """Members whose unit has no ballot yet (only while the poll is open: needs the secret)."""

        def work(conn: sqlite3.Connection) -> list[int]:
            row = conn.execute("SELECT key FROM poll_secrets WHERE poll_id = ?", (poll_id,))
            found = row.fetchone()
            if found is None:
                return []
            key = bytes(found[0])
            voted = {
                bytes(r[0])
                for r in conn.execute(
                    "SELECT voter_hash FROM poll_ballots WHERE poll_id = ?", (poll_id,)
                )
            }
            return [
                int(user_id)
                for user_id, unit in conn.execute(
                    "SELECT user_id, unit FROM poll_electors WHERE poll_id = ? ORDER BY user_id",
                    (poll_id,),
                )
                if _hash(key, unit) not in voted
            ]

        return await self.db.read(work)

    # -- ballots ------------------------------------------------------------------------------

    async def turnout(self, poll_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT count(*) FROM poll_ballots WHERE poll_id = ?", (poll_id,)
        )
        return int(row[0]) if row else 0

    async def ballots(self, poll_id: int) -> list[tuple[int, ...]]:
        """Every ballot's choices, in key order (which says nothing about who or when)."""
        rows = await self.db.fetchall(
            "SELECT choices FROM poll_ballots WHERE poll_id = ? ORDER BY voter_hash", (poll_id,)
        )
        return [tuple(json.loads(r[0])) for r in rows]

    async def public_ballots(self, poll_id: int) -> list[tuple[str, tuple[int, ...]]]:
        """(unit, choices) for a public poll; empty for a secret one."""
        rows = await self.db.fetchall(
            "SELECT voter, choices FROM poll_ballots WHERE poll_id = ? AND voter IS NOT NULL "
            "ORDER BY voter",
            (poll_id,),
        )
        return [(str(r[0]), tuple(json.loads(r[1]))) for r in rows]

    # -- closing ------------------------------------------------------------------------------

    async def truncate_log(self, poll_id: int) -> None:
        """After a close: checkpoint and truncate the write-ahead log, so no older page (holding
        the destroyed secret) survives in it."""
        if not await self.db.checkpoint():
            # Another connection was reading: the log is emptied at a later checkpoint. Say so
            # rather than pretend.
            log.warning("poll %s closed; the write-ahead log could not be truncated yet", poll_id)


def close(conn: sqlite3.Connection, poll_id: int, now: datetime) -> bool:
    """Close the poll exactly once, inside the caller's transaction; True for the call that
    closed it. Destroys the secret and rewrites the ballots in key order (then the caller
    truncates the log: :meth:`Polls.truncate_log`)."""
    closed = conn.execute(
        "UPDATE polls SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        (to_db(now), poll_id),
    ).rowcount
    if not closed:
        return False
    conn.execute("DELETE FROM poll_secrets WHERE poll_id = ?", (poll_id,))
    rows = conn.execute(
        "SELECT voter_hash, choices, voter FROM poll_ballots WHERE poll_id = ? ORDER BY voter_hash",
        (poll_id,),
    ).fetchall()
    conn.execute("DELETE FROM poll_ballots WHERE poll_id = ?", (poll_id,))
    conn.executemany(
        "INSERT INTO poll_ballots (poll_id, voter_hash, choices, voter) VALUES (?, ?, ?, ?)",
        [(poll_id, *tuple(r)) for r in rows],
    )
    return True


def set_message(conn: sqlite3.Connection, poll_id: int, message_id: int) -> None:
    """Where the poll was posted (inside the caller's transaction)."""
    conn.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))


@dataclass(frozen=True)
class Voter:
    """What a ballot interaction needs, read in one trip: the poll, the unit the member votes for
    (None outside the electorate) and that unit's current ballot."""

    poll: PollRecord | None
    unit: str | None
    current: tuple[int, ...] | None
    voter_hash: bytes | None = None  # while the poll is open


# The poll, the member's unit and the poll's key in one statement: under a burst every statement
# in SQLite's thread waits for the GIL while the event loop is busy, so fewer is faster.
_VOTER = (
    "SELECT p.*, e.unit AS elector_unit, s.key AS secret_key FROM polls p "
    "LEFT JOIN poll_electors e ON e.poll_id = p.id AND e.user_id = ? "
    "LEFT JOIN poll_secrets s ON s.poll_id = p.id WHERE p.id = ?"
)


def voter(conn: sqlite3.Connection, poll_id: int, user_id: int) -> Voter:
    row = conn.execute(_VOTER, (user_id, poll_id)).fetchone()
    if row is None:
        return Voter(None, None, None)
    poll = _poll(row)
    if row["elector_unit"] is None:
        return Voter(poll, None, None)
    unit = str(row["elector_unit"])
    if row["secret_key"] is None:
        return Voter(poll, unit, None)
    voter_hash = _hash(bytes(row["secret_key"]), unit)
    ballot = conn.execute(
        "SELECT choices FROM poll_ballots WHERE poll_id = ? AND voter_hash = ?",
        (poll_id, voter_hash),
    ).fetchone()
    return Voter(poll, unit, tuple(json.loads(ballot[0])) if ballot else None, voter_hash)


@dataclass(frozen=True)
class Cast:
    """A stored ballot: the poll, the unit it counts for, the ballot, and whether it replaced
    the unit's earlier one."""

    poll: PollRecord
    unit: str
    ballot: tuple[int, ...]
    replaced: bool


def cast_ballot(
    conn: sqlite3.Connection,
    poll_id: int,
    user_id: int,
    decide: Callable[[Voter], tuple[int, ...]],
) -> Cast:
    """Read the voter, let ``decide`` apply the rules (it raises to refuse), and store the ballot:
    one trip to SQLite's thread, inside the caller's (batched) transaction, so the poll read open
    here is still open when the ballot is written."""
    found = voter(conn, poll_id, user_id)
    ballot = decide(found)
    poll, unit = found.poll, found.unit
    assert poll is not None and unit is not None  # decide refuses otherwise
    if not poll.is_open or found.voter_hash is None:
        raise PollClosedError(poll_id)
    conn.execute(
        "INSERT INTO poll_ballots (poll_id, voter_hash, choices, voter) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (poll_id, voter_hash) DO UPDATE SET choices = excluded.choices",
        (poll_id, found.voter_hash, json.dumps(list(ballot)), None if poll.secret else unit),
    )
    return Cast(poll, unit, ballot, replaced=found.current is not None)


def unit_members(conn: sqlite3.Connection, poll_id: int, unit: str) -> list[int]:
    """The members who vote for ``unit`` (a region's members, in a region poll)."""
    rows = conn.execute(
        "SELECT user_id FROM poll_electors WHERE poll_id = ? AND unit = ? ORDER BY user_id",
        (poll_id, unit),
    )
    return [int(r[0]) for r in rows]


@dataclass(frozen=True)
class OpenBallots:
    """An open poll, who votes for which unit, and which units have voted (turnout: not what
    they chose)."""

    poll: PollRecord
    units: dict[int, str]  # member id -> the unit they vote for
    voted: frozenset[str]


def open_ballots(conn: sqlite3.Connection, poll_id: int) -> OpenBallots | None:
    """The poll (None unless open), its electorate and the units that have voted, in one trip;
    the keyed hashes are compared here, so the secret stays in this module."""
    row = conn.execute(
        "SELECT p.*, s.key AS secret_key FROM polls p JOIN poll_secrets s ON s.poll_id = p.id "
        "WHERE p.id = ? AND p.status = 'open'",
        (poll_id,),
    ).fetchone()
    if row is None:
        return None
    key = bytes(row["secret_key"])
    units = {
        int(user): str(unit)
        for user, unit in conn.execute(
            "SELECT user_id, unit FROM poll_electors WHERE poll_id = ?", (poll_id,)
        )
    }
    hashes = {
        bytes(r[0])
        for r in conn.execute("SELECT voter_hash FROM poll_ballots WHERE poll_id = ?", (poll_id,))
    }
    voted = frozenset(unit for unit in set(units.values()) if _hash(key, unit) in hashes)
    return OpenBallots(_poll(row), units, voted)


def electors(user_ids: Iterable[int]) -> list[Elector]:
    """One vote each: every member votes for themself."""
    return [Elector(u, str(u)) for u in user_ids]


declare(
    PersonalData("polls", "creator_id", "polls opened", erase="anonymise"),
    # The electorate is fixed when a poll opens; a public poll's ballot names its voter.
    PersonalData("poll_electors", "user_id", "polls one could vote in", erase="anonymise"),
    PersonalData("poll_ballots", "voter", "votes in public polls", erase="anonymise"),
)
