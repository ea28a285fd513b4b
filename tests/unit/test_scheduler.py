"""The scheduler: the database is the source of truth, late/missed policy, nothing sent twice."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.scheduler import LATE_AFTER, MAX_ATTEMPTS, NONCE_WINDOW, RunContext, Scheduler, nonce_for
from db import scheduled
from db.database import Database

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Recorder:
    """A handler that 'sends' one message per recipient and can crash after the first, or
    inside a send (after Discord took it, before the sent-log knows)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bool]] = []
        self.nonces: list[str] = []
        self.crash_after_first = False
        self.crash_inside_send = False

    async def __call__(self, ctx: RunContext) -> None:
        for recipient in ctx.action.payload.get("to", ["channel"]):

            async def send(nonce: str, recipient: str = recipient) -> None:
                self.sent.append((ctx.action.dedupe_key, recipient, ctx.late))
                self.nonces.append(nonce)
                if self.crash_inside_send:
                    raise KeyboardInterrupt  # the process dies before recording the send

            ran = await ctx.once(recipient, send)
            if ran and self.crash_after_first:
                raise KeyboardInterrupt  # the process dies mid-way


@pytest.fixture
async def db_path(tmp_path: Path) -> AsyncIterator[Path]:
    path = tmp_path / "s.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    await db.close()
    yield path


async def start(
    path: Path, clock: FakeClock, recorder: Recorder, *, expires: bool = True
) -> tuple[Database, Scheduler]:
    db = await Database.open(path)
    scheduler = Scheduler(db, clock, grace=timedelta(hours=1))
    scheduler.register("remind", recorder, expires=expires)
    await scheduler.start()
    return db, scheduler


async def plan(scheduler: Scheduler, key: str, due: datetime, **payload: object) -> None:
    def store(conn: sqlite3.Connection) -> None:
        scheduler.plan(conn, guild_id=1, kind="remind", key=key, due_at=due, payload=payload)

    await scheduler.db.write(store)
    await scheduler.rearm()


async def stop(db: Database, scheduler: Scheduler) -> None:
    await scheduler.stop()
    await db.close()


async def test_runs_when_due_and_only_once(db_path: Path) -> None:
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec)
    await plan(scheduler, "r1", T0 + timedelta(minutes=5))
    assert scheduler.armed_for == T0 + timedelta(minutes=5)
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert rec.sent == [("r1", "channel", False)]
    assert scheduler.armed_for is None
    await stop(db, scheduler)


@pytest.mark.parametrize(
    ("down_for", "expected"),
    [
        (timedelta(seconds=30), [("r1", "channel", False)]),  # on time
        (LATE_AFTER + timedelta(minutes=10), [("r1", "channel", True)]),  # late, with a note
        (timedelta(hours=2), []),  # beyond the grace window: missed
    ],
)
async def test_restart_policy(db_path: Path, down_for: timedelta, expected: list[object]) -> None:
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec)
    await plan(scheduler, "r1", T0 + timedelta(minutes=1))
    await stop(db, scheduler)  # the bot goes down before the reminder is due

    clock.advance(timedelta(minutes=1) + down_for)
    db, scheduler = await start(db_path, clock, rec)
    assert scheduler.armed_for == T0 + timedelta(minutes=1)  # re-armed from the database
    await scheduler.run_due()
    assert rec.sent == expected
    status = "done" if expected else "missed"
    action = await db.read(scheduled.by_key, "r1")
    assert action is not None and action.status == status
    await stop(db, scheduler)


async def test_a_kind_that_never_expires_runs_late_after_any_outage(db_path: Path) -> None:
    """Notices to members (bot/notices.py) are sent however long the bot was away."""
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec, expires=False)
    await plan(scheduler, "n1", T0)
    await stop(db, scheduler)
    clock.advance(timedelta(days=3))
    db, scheduler = await start(db_path, clock, rec, expires=False)
    await scheduler.run_due()
    assert rec.sent == [("n1", "channel", True)]
    await stop(db, scheduler)


async def test_crash_mid_send_resumes_without_repeating(db_path: Path) -> None:
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec)
    await plan(scheduler, "r1", T0, to=["ann", "bo", "cy"])
    rec.crash_after_first = True
    with pytest.raises(KeyboardInterrupt):
        await scheduler.run_due()
    await db.close()  # killed: no orderly stop

    rec.crash_after_first = False
    db, scheduler = await start(db_path, clock, rec)
    await scheduler.run_due()
    await stop(db, scheduler)
    db, scheduler = await start(db_path, clock, rec)  # another restart sends nothing more
    await scheduler.run_due()
    assert [r for _key, r, _late in rec.sent] == ["ann", "bo", "cy"]
    await stop(db, scheduler)


@pytest.mark.parametrize("down_for", [timedelta(seconds=5), NONCE_WINDOW + timedelta(minutes=1)])
async def test_crash_between_send_and_record_repeats_with_the_same_nonce(
    db_path: Path, down_for: timedelta, caplog: pytest.LogCaptureFixture
) -> None:
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec)
    await plan(scheduler, "r1", T0, to=["ann"])
    rec.crash_inside_send = True
    with pytest.raises(KeyboardInterrupt):
        await scheduler.run_due()
    await db.close()  # killed after Discord took the message, before the sent-log knew

    rec.crash_inside_send = False
    clock.advance(down_for)
    db, scheduler = await start(db_path, clock, rec)
    await scheduler.run_due()
    await stop(db, scheduler)
    # Sent again, with the nonce of the first attempt: Discord returns the first message.
    assert rec.nonces == [nonce_for("r1|ann")] * 2
    beyond = down_for > NONCE_WINDOW
    assert ("beyond the nonce window" in caplog.text) == beyond


def test_nonces_are_stable_short_and_distinct() -> None:
    keys = [f"event:{e}:2026-12-01:remind:3600|dm:{u}" for e in range(50) for u in range(50)]
    nonces = {nonce_for(k) for k in keys}
    assert len(nonces) == len(keys)
    assert all(len(n) <= 25 for n in nonces)
    assert nonce_for(keys[0]) == nonce_for(keys[0])


async def test_failing_handler_retries_then_gives_up(db_path: Path) -> None:
    clock = FakeClock(T0)
    db = await Database.open(db_path)
    scheduler = Scheduler(db, clock, grace=timedelta(hours=1))
    calls = 0

    async def broken(ctx: RunContext) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("Discord is down")

    scheduler.register("remind", broken)
    await scheduler.start()
    await plan(scheduler, "r1", T0)
    for _ in range(MAX_ATTEMPTS + 2):
        await scheduler.run_due()
        clock.advance(timedelta(minutes=10))
    assert calls == MAX_ATTEMPTS
    action = await db.read(scheduled.by_key, "r1")
    assert action is not None and action.status == "failed"
    await stop(db, scheduler)


async def test_cancel_by_prefix_and_replan(db_path: Path) -> None:
    clock, rec = FakeClock(T0), Recorder()
    db, scheduler = await start(db_path, clock, rec)
    await plan(scheduler, "event:1:a", T0 + timedelta(minutes=1))
    await plan(scheduler, "event:1:b", T0 + timedelta(minutes=2))
    await plan(scheduler, "event:10:a", T0 + timedelta(minutes=3))
    await db.write(scheduler.cancel, "event:1:")
    await scheduler.rearm()
    assert scheduler.armed_for == T0 + timedelta(minutes=3)
    await plan(scheduler, "event:1:a", T0 + timedelta(minutes=4))  # planned again: pending
    clock.advance(timedelta(minutes=5))
    await scheduler.run_due()
    assert {k for k, _r, _l in rec.sent} == {"event:1:a", "event:10:a"}
    await stop(db, scheduler)


async def test_timer_fires_on_real_time(db_path: Path) -> None:
    """Without a test moving the clock, APScheduler's timer runs the due row by itself."""
    import asyncio

    from bot.clock import SystemClock

    rec = Recorder()
    db = await Database.open(db_path)
    scheduler = Scheduler(db, SystemClock(), grace=timedelta(hours=1))
    scheduler.register("remind", rec)
    await scheduler.start()
    await plan(scheduler, "soon", datetime.now(UTC) + timedelta(milliseconds=50))
    for _ in range(100):
        if rec.sent:
            break
        await asyncio.sleep(0.02)
    assert [k for k, _r, _l in rec.sent] == ["soon"]
    await stop(db, scheduler)


async def test_due_actions_wait_until_the_bot_is_ready(db_path: Path) -> None:
    """A reminder overdue at start-up is not run before the bot's cache is filled."""
    import asyncio

    clock, rec = FakeClock(T0), Recorder()
    ready = asyncio.Event()
    db = await Database.open(db_path)
    scheduler = Scheduler(db, clock, grace=timedelta(hours=1), ready=ready.wait)
    scheduler.register("remind", rec)
    await scheduler.start()
    await plan(scheduler, "r1", T0 - timedelta(minutes=1))  # already due: the timer fires now
    for _ in range(20):
        await asyncio.sleep(0)
    assert rec.sent == []
    ready.set()
    for _ in range(100):
        if rec.sent:
            break
        await asyncio.sleep(0.01)
    assert [k for k, _r, _l in rec.sent] == ["r1"]
    await stop(db, scheduler)


async def test_stop_does_not_wait_for_a_bot_that_never_became_ready(db_path: Path) -> None:
    import asyncio

    clock, rec = FakeClock(T0), Recorder()
    db = await Database.open(db_path)
    scheduler = Scheduler(db, clock, grace=timedelta(hours=1), ready=asyncio.Event().wait)
    scheduler.register("remind", rec)
    await scheduler.start()
    await plan(scheduler, "r1", T0 - timedelta(minutes=1))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(stop(db, scheduler), 2)
    assert rec.sent == []
