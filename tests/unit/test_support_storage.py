"""Support storage on a real SQLite file: the request first, versioned changes, history,
transcripts with copied files, and the guild's limits."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.database import Database
from db.support import KeptMessage, NewRequest, StateChange, SupportLimits, SupportRequests

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ASK = NewRequest(1, 100, "S3 review", "We need an expert.", "Lapland", None, "fi")


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SupportRequests]:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()
    yield SupportRequests(db)
    await db.close()


async def _new(repo: SupportRequests, ask: NewRequest = ASK) -> int:
    return await repo.db.write(SupportRequests.insert, ask, NOW)


def _claim(by: int, at: datetime) -> StateChange:
    return StateChange("claimed", by, at, None, at, actor_id=by, action="claim")


async def test_a_new_request_is_stored_before_anything_is_posted(repo: SupportRequests) -> None:
    request_id = await _new(repo)
    stored = await repo.get(request_id)
    assert stored is not None
    assert (stored.status, stored.posted, stored.thread_id, stored.version) == (
        "new",
        False,
        None,
        0,
    )
    assert stored.awaiting_staff_since == NOW and stored.created_at == NOW
    assert [h.action for h in await repo.history(request_id)] == ["open"]
    assert [r.id for r in await repo.unfinished()] == [request_id]
    await repo.db.write(
        SupportRequests.set_places, request_id, thread_id=555, card_channel_id=9, card_message_id=10
    )
    await repo.db.write(SupportRequests.set_places, request_id, notes_thread_id=556)
    await repo.db.write(SupportRequests.mark_posted, request_id)
    stored = await repo.get(request_id)
    assert stored is not None and stored.posted and stored.thread_id == 555
    assert (await repo.by_thread(555), await repo.by_thread(556)) == (stored, stored)
    with pytest.raises(ValueError, match="unknown places"):
        await repo.db.write(SupportRequests.set_places, request_id, status="resolved")  # type: ignore[arg-type]


async def test_a_change_decided_on_a_stale_version_writes_nothing(repo: SupportRequests) -> None:
    request_id = await _new(repo)
    seen = await repo.get(request_id)
    assert seen is not None
    later = NOW + timedelta(minutes=5)

    async def claim_as(staff: int) -> bool:
        return await repo.db.write(SupportRequests.change, seen, _claim(staff, later), later)

    results = await asyncio.gather(claim_as(10), claim_as(11))
    assert sorted(results) == [False, True]
    stored = await repo.get(request_id)
    assert stored is not None and stored.version == 1
    assert stored.claimed_by == (10 if results[0] else 11)
    assert stored.first_claimed_at == later
    assert [h.action for h in await repo.history(request_id)] == ["open", "claim"]


async def test_first_claim_time_survives_hand_over_and_resolve(repo: SupportRequests) -> None:
    request_id = await _new(repo)
    t1, t2, t3 = (NOW + timedelta(hours=h) for h in (1, 2, 3))
    for change, at in (
        (_claim(10, t1), t1),
        (replace(_claim(11, t2), action="hand_over"), t2),
        (StateChange("resolved", 11, t2, t3, None, 11, "resolve", 11, "Expert found"), t3),
    ):
        seen = await repo.get(request_id)
        assert seen is not None
        assert await repo.db.write(SupportRequests.change, seen, change, at)
    stored = await repo.get(request_id)
    assert stored is not None
    assert (stored.first_claimed_at, stored.claimed_by, stored.resolved_at) == (t1, 11, t3)
    assert (stored.resolved_by, stored.outcome, stored.status) == (11, "Expert found", "resolved")
    history = await repo.history(request_id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "new"),
        ("new", "claimed"),
        ("claimed", "claimed"),
        ("claimed", "resolved"),
    ]
    assert await repo.open_count(1, 100) == 0
    # Resolved but never fully posted: still listed, so start-up finishes the posting.
    assert [r.id for r in await repo.unfinished()] == [request_id]
    await repo.db.write(SupportRequests.mark_posted, request_id)
    assert await repo.unfinished() == []


async def test_a_failing_transaction_leaves_no_request(repo: SupportRequests) -> None:
    def insert_then_fail(conn: sqlite3.Connection) -> None:
        SupportRequests.insert(conn, ASK, NOW)
        raise RuntimeError("Discord said no")

    with pytest.raises(RuntimeError):
        await repo.db.write(insert_then_fail)
    assert await repo.in_guild(1) == []


async def test_open_counts_and_filters(repo: SupportRequests) -> None:
    a = await _new(repo)
    b = await _new(repo)
    await _new(repo, replace(ASK, requester_id=200))
    seen = await repo.get(a)
    assert seen is not None
    await repo.db.write(SupportRequests.change, seen, _claim(10, NOW), NOW)
    assert await repo.open_count(1, 100) == 2
    assert [r.id for r in await repo.in_guild(1, statuses=("claimed",))] == [a]
    assert [r.id for r in await repo.in_guild(1, claimed_by=10)] == [a]
    assert [r.id for r in await repo.in_guild(1, requester_id=100)] == [a, b]
    assert await repo.in_guild(2) == []


async def test_transcript_keeps_messages_and_files_once(repo: SupportRequests) -> None:
    request_id = await _new(repo)
    first = [KeptMessage(1, 100, "Aino", NOW, "Hei"), KeptMessage(2, 10, "Sofia", NOW, "Hi")]
    files = [(1, 900, "plan.pdf", "application/pdf", b"%PDF-1.7 plan")]
    assert await repo.db.write(SupportRequests.keep_transcript, request_id, first, files) == 2
    more = [*first, KeptMessage(3, 100, "Aino", NOW, "Kiitos")]
    assert await repo.db.write(SupportRequests.keep_transcript, request_id, more, files) == 1
    assert [m.content for m in await repo.transcript(request_id)] == ["Hei", "Hi", "Kiitos"]
    kept = await repo.files(request_id)
    assert [(f.filename, f.data) for f in kept] == [("plan.pdf", b"%PDF-1.7 plan")]
    assert await repo.kept_attachment_ids(request_id) == {900}


async def test_limits_default_until_the_secretariat_sets_them(repo: SupportRequests) -> None:
    default = SupportLimits(3, frozenset())
    assert await repo.limits(1, default) == default
    await repo.db.write(
        SupportRequests.set_limits, 1, SupportLimits(1, frozenset({42, 7})), updated_by=10, now=NOW
    )
    assert await repo.limits(1, default) == SupportLimits(1, frozenset({7, 42}))
    await repo.db.write(
        SupportRequests.set_limits, 1, SupportLimits(5, frozenset()), updated_by=10, now=NOW
    )
    assert await repo.limits(1, default) == SupportLimits(5, frozenset())
    assert await repo.limits(2, default) == default
