"""Start-up with 10,000 pending reminders: arming time and memory, then proof that they fire.

    .venv/bin/python bench/bench_reminders.py

A fresh database file is migrated and seeded directly with SQL, in one transaction, with 10,000
pending ``scheduled_actions`` rows of kind ``event.remind`` due over the next four weeks (they
need no events: arming reads only ``scheduled_actions``). Then:

1. ``Scheduler.start()`` (APScheduler start + re-arm) is timed until ``armed_for`` is the earliest
   due time, with tracemalloc (peak minus the allocations before) and RSS (psutil, if installed)
   around it; five fresh schedulers on the same file, the median and worst are reported. One
   start before them is not counted: the first row a process arms imports APScheduler (about
   13 ms; before 2026-12-01 ``import bot.scheduler`` did, outside the timed start);
2. the real bot is started on that database (``local_community(start=False)`` then
   ``start_bot()``) and checked to be armed for the same earliest row (informational timing);
3. a FakeClock is moved past the first five due times and ``run_due()`` runs them through a
   counting handler (nothing is sent): five dispatched, 9,995 still pending, re-armed for the 6th.
"""

from __future__ import annotations

import gc
import json
import statistics
import tempfile
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import Timer, run, table, verdict

from bot.clock import FakeClock, SystemClock
from bot.local import local_community
from bot.scheduler import Scheduler
from db.database import Database
from db.times import to_db

try:
    import psutil
except ImportError:  # a dev dependency; the benchmark runs without it
    psutil = None

ROWS = 10_000
SPREAD = timedelta(weeks=4)
RUNS = 5
ARM_TARGET = 0.6  # seconds
MEMORY_TARGET = 20.0  # MB
REMIND = "event.remind"


def due_times(now: datetime) -> list[datetime]:
    """ROWS instants spread evenly over SPREAD, starting 10 minutes from now (in seconds)."""
    step = SPREAD / ROWS
    start = now + timedelta(minutes=10)
    return [(start + step * i).replace(microsecond=0) for i in range(ROWS)]


async def seed(path: Path, now: datetime, guild_id: int) -> list[datetime]:
    """A migrated database with ROWS pending reminders, inserted in one transaction."""
    db = await Database.open(path)
    await db.migrate()
    due = due_times(now)
    rows = [
        (
            guild_id,
            REMIND,
            f"event:{1 + i // 2}:{int(d.timestamp())}:remind:{3600 * (1 + i % 2)}",
            to_db(d),
            json.dumps(
                {"event": 1 + i // 2, "occurrence": str(int(d.timestamp())), "offset": 3600}
            ),
            to_db(now),
        )
        for i, d in enumerate(due)
    ]
    await db.write(
        lambda conn: conn.executemany(
            "INSERT INTO scheduled_actions (guild_id, kind, dedupe_key, due_at, payload, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    )
    row = await db.fetchone("SELECT count(*) FROM scheduled_actions WHERE status = 'pending'")
    assert row is not None and row[0] == ROWS
    await db.close()
    return due


def rss_mb() -> float | None:
    return psutil.Process().memory_info().rss / 2**20 if psutil else None


async def arm_once(
    path: Path, clock: FakeClock, earliest: datetime
) -> tuple[float, float, float | None]:
    """Seconds to armed, tracemalloc peak delta (MB), RSS delta (MB) for one scheduler start."""
    db = await Database.open(path)
    scheduler = Scheduler(db, clock, timedelta(minutes=60))

    async def count(ctx: object) -> None:  # never runs here: nothing is due yet
        raise AssertionError("nothing should fire while arming")

    scheduler.register(REMIND, count)
    gc.collect()
    rss_before = rss_mb()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    timer = Timer()
    await scheduler.start()
    elapsed = timer.elapsed()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = rss_mb()
    assert scheduler.armed_for == earliest, (scheduler.armed_for, earliest)
    await scheduler.stop()
    await db.close()
    rss = rss_after - rss_before if rss_before is not None and rss_after is not None else None
    return elapsed, (peak - base) / 2**20, rss


async def bot_start(directory: Path) -> tuple[float, datetime | None]:
    """The real bot on the seeded database: start to ready, and what its scheduler armed."""
    async with local_community(directory, start=False, clock=SystemClock()) as community:
        timer = Timer()
        bot = await community.start_bot()
        elapsed = timer.elapsed()
        return elapsed, bot.scheduler.armed_for


async def fire_first(path: Path, clock: FakeClock, due: list[datetime]) -> tuple[int, int, int]:
    """Move the clock past the first five due times and dispatch; (handled, ran, pending)."""
    db = await Database.open(path)
    scheduler = Scheduler(db, clock, timedelta(minutes=60))
    handled: list[str] = []

    async def count(ctx: object) -> None:
        handled.append(ctx.action.dedupe_key)  # type: ignore[attr-defined]

    scheduler.register(REMIND, count)
    await scheduler.start()
    clock.set(due[4] + timedelta(seconds=1))
    ran = await scheduler.run_due()
    assert scheduler.armed_for == due[5], (scheduler.armed_for, due[5])
    row = await db.fetchone("SELECT count(*) FROM scheduled_actions WHERE status = 'pending'")
    await scheduler.stop()
    await db.close()
    return len(handled), ran, int(row[0]) if row else -1


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="s3cop-bench-") as tmp:
        directory = Path(tmp)
        path = directory / "s3cop.sqlite3"
        now = datetime.now(UTC).replace(microsecond=0)
        # The guild id is only stored; local_community seeds its own guild for the bot start.
        timer = Timer()
        due = await seed(path, now, guild_id=1)
        seeded = timer.elapsed()

        clock = FakeClock(now)
        await arm_once(path, clock, due[0])  # imports APScheduler (see the docstring)
        runs = [await arm_once(path, clock, due[0]) for _ in range(RUNS)]
        times = [r[0] for r in runs]
        peaks = [r[1] for r in runs]
        rss = [r[2] for r in runs if r[2] is not None]

        started, armed_for = await bot_start(directory)
        assert armed_for == due[0], (armed_for, due[0])

        handled, ran, pending = await fire_first(path, FakeClock(now), due)

    arm_median, arm_worst = statistics.median(times), max(times)
    peak_worst = max(peaks)
    rss_worst = max(rss) if rss else None
    print(
        f"{ROWS:,} pending event.remind rows over {SPREAD.days} days "
        f"(inserted with SQL in one transaction, {seeded:.2f} s)\n"
    )
    rows = [
        (
            "Scheduler.start() to armed",
            *(f"{t * 1000:.1f}" for t in times),
            f"{arm_median * 1000:.1f}",
            f"{arm_worst * 1000:.1f}",
        ),
        (
            "tracemalloc peak delta, MB",
            *(f"{p:.2f}" for p in peaks),
            f"{statistics.median(peaks):.2f}",
            f"{peak_worst:.2f}",
        ),
    ]
    if rss:
        rows.append(
            (
                "RSS delta, MB",
                *(f"{r:.2f}" for r in rss),
                f"{statistics.median(rss):.2f}",
                f"{max(rss):.2f}",
            )
        )
    else:
        rows.append(("RSS delta, MB (psutil not installed)", *("-" for _ in runs), "-", "-"))
    print(table(["measure", *(f"run {i + 1}" for i in range(RUNS)), "median", "worst"], rows))
    print(
        f"\nreal bot start with {ROWS:,} pending (open, migrate, cogs, sync, arm, ready): "
        f"{started * 1000:.0f} ms, armed for the earliest row ({armed_for:%Y-%m-%d %H:%M} UTC)"
    )
    print(
        f"fired: clock moved past the first 5 due times -> {handled} handled, run_due() "
        f"returned {ran}, {pending:,} still pending, re-armed for the 6th ({due[5]:%H:%M:%S})\n"
    )
    memory = max(peak_worst, rss_worst or 0.0)
    return verdict(
        [
            (
                f"armed within {ARM_TARGET} s of start "
                f"(worst of {RUNS}: {arm_worst * 1000:.1f} ms)",
                arm_worst <= ARM_TARGET,
            ),
            (
                f"at most {MEMORY_TARGET:.0f} MB extra memory "
                f"(worst of tracemalloc/RSS: {memory:.2f} MB)",
                memory <= MEMORY_TARGET,
            ),
            (
                "the first 5 due rows fire from the one timer",
                handled == 5 and ran == 5 and pending == ROWS - 5,
            ),
        ]
    )


if __name__ == "__main__":
    run(main)
