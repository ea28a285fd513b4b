"""Poll storage on a real SQLite file, and the raw-file check that a secret ballot stays secret."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.database import Database
from db.polls import (
    Elector,
    NewPoll,
    PollClosedError,
    PollRecord,
    Polls,
    Voter,
    cast_ballot,
    close,
    electors,
    unit_members,
    voter,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
# Snowflake-sized ids, as Discord's are.
VOTERS = [412345678901234567 + i * 7919 for i in range(6)]


def new_poll(*, secret: bool = True, mode: str = "multiple") -> NewPoll:
    return NewPoll(
        guild_id=1,
        channel_id=2,
        creator_id=3,
        group_id=None,
        question="Which support actions?",
        description="",
        options=tuple(f"Action {i}" for i in range(1, 9)),
        mode=mode,
        min_choices=3,
        max_choices=3,
        winners=3,
        secret=secret,
        live_results=False,
        electorate_kind="role",
        electorate_ref=4,
        quorum_percent=50,
        closes_at=NOW + timedelta(days=1),
        remind_minutes=None,
    )


async def open_poll(
    db: Database, poll: NewPoll, people: list[Elector] | None = None
) -> tuple[Polls, PollRecord]:
    polls = Polls(db)
    record = await db.write(polls.create, poll, people or electors(VOTERS), NOW)
    return polls, record


async def vote(db: Database, poll_id: int, user_id: int, choices: list[int]) -> bool:
    """Cast the member's ballot as the bot does (its rules checked elsewhere); True if it replaced
    one."""

    def accept(found: Voter) -> tuple[int, ...]:
        return tuple(choices)

    return (await db.batched(cast_ballot, poll_id, user_id, accept)).replaced


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "s3cop.sqlite3")
    await database.migrate()
    return database


async def test_a_vote_is_recorded_changed_and_counted_once(db: Database) -> None:
    polls, poll = await open_poll(db, new_poll())
    assert poll.electorate_size == 6
    assert (await db.read(voter, poll.id, VOTERS[0])).unit == str(VOTERS[0])
    assert (await db.read(voter, poll.id, 999)).unit is None
    assert await vote(db, poll.id, VOTERS[0], [0, 1, 2]) is False
    assert await vote(db, poll.id, VOTERS[0], [0, 1, 3]) is True
    assert (await db.read(voter, poll.id, VOTERS[0])).current == (0, 1, 3)
    assert await polls.turnout(poll.id) == 1
    assert await polls.non_voters(poll.id) == sorted(VOTERS[1:])
    await db.close()


async def test_closing_happens_once_and_refuses_later_votes(db: Database) -> None:
    polls, poll = await open_poll(db, new_poll())
    await vote(db, poll.id, VOTERS[0], [0, 1, 2])
    assert await db.write(close, poll.id, NOW) is True
    assert await db.write(close, poll.id, NOW) is False
    with pytest.raises(PollClosedError):
        await vote(db, poll.id, VOTERS[1], [0, 1, 2])
    assert await polls.turnout(poll.id) == 1
    assert await polls.ballots(poll.id) == [(0, 1, 2)]
    # Without the secret, nobody (not even the bot) can find a member's ballot any more.
    found = await db.read(voter, poll.id, VOTERS[0])
    assert found.unit == str(VOTERS[0]) and found.current is None
    closed = await polls.get(poll.id)
    assert closed is not None and not closed.is_open and closed.closed_at == NOW
    await db.close()


async def test_public_ballots_keep_their_voter(db: Database) -> None:
    polls, poll = await open_poll(db, new_poll(secret=False))
    await vote(db, poll.id, VOTERS[1], [2, 4, 6])
    assert await polls.public_ballots(poll.id) == [(str(VOTERS[1]), (2, 4, 6))]


async def test_one_vote_per_region(db: Database) -> None:
    people = [Elector(VOTERS[0], "FI-10"), Elector(VOTERS[1], "FI-10"), Elector(VOTERS[2], "SE-AB")]
    polls, poll = await open_poll(db, new_poll(), people)
    assert poll.electorate_size == 2
    await vote(db, poll.id, VOTERS[0], [0, 1, 2])
    # A second member of the same region changes the region's one ballot.
    assert await vote(db, poll.id, VOTERS[1], [5, 6, 7]) is True
    assert await polls.turnout(poll.id) == 1
    assert await db.read(unit_members, poll.id, "FI-10") == sorted(VOTERS[:2])
    assert await polls.non_voters(poll.id) == [VOTERS[2]]


def member_id_forms(user_id: int) -> list[bytes]:
    """How a member id can sit in SQLite's files: as text, or as an 8-byte big-endian integer."""
    return [str(user_id).encode(), struct.pack(">q", user_id)]


def read_files(path: Path) -> tuple[bytes, bytes]:
    """The database file and its write-ahead log, byte for byte."""
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


async def test_after_close_the_raw_files_link_no_member_to_a_ballot(tmp_path: Path) -> None:
    path = tmp_path / "s3cop.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    # Another poll stays open, so the closed poll's rows share pages with live ones.
    polls, still_open = await open_poll(db, new_poll(secret=True))
    polls, poll = await open_poll(db, new_poll(secret=True))
    await vote(db, still_open.id, VOTERS[5], [2, 3, 4])
    choices = [[0, 1, 2], [3, 4, 5], [5, 6, 7], [0, 4, 7], [1, 2, 6]]
    for member, ballot in zip(VOTERS, choices, strict=False):
        await vote(db, poll.id, member, ballot)
    await vote(db, poll.id, VOTERS[0], [1, 3, 5])  # a changed vote leaves no trace either
    row = await db.fetchone("SELECT key FROM poll_secrets WHERE poll_id = ?", (poll.id,))
    assert row is not None
    secret = bytes(row[0])

    await db.write(close, poll.id, NOW)
    await polls.truncate_log(poll.id)
    # Copied while the bot still runs (closing the last connection would tidy the log anyway).
    raw_db, raw_wal = read_files(path)
    await db.close()
    assert raw_wal == b"", "the write-ahead log is truncated at close"
    assert secret not in raw_db, "the poll's secret is gone from the file"
    stored = [json.dumps(b).encode() for b in ([1, 3, 5], *choices[1:])]
    assert all(ballot in raw_db for ballot in stored), "the check reads the real ballots"
    assert json.dumps([0, 1, 2]).encode() not in raw_db, "the replaced ballot was overwritten"
    page_size = 4096
    pages = [raw_db[i : i + page_size] for i in range(0, len(raw_db), page_size)]
    for number, page in enumerate(pages):
        has_ballot = any(ballot in page for ballot in stored)
        has_member = any(form in page for voter in VOTERS for form in member_id_forms(voter))
        assert not (has_ballot and has_member), f"page {number} holds a member id and a ballot"
