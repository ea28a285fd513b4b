"""The one SQLite connection: WAL, foreign keys, a busy timeout, migrations and transactions.

Writes that belong together run in :meth:`Database.transaction`. Many small writes arriving at
once (a burst of RSVP clicks) go through :meth:`Database.batched`, which commits them together in
one transaction, each inside its own savepoint, so a burst costs one commit and one trip to
SQLite's thread instead of hundreds, and one failing write never undoes the others.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = tuple[Any, ...] | dict[str, Any]
# A burst is committed in slices of this many writes: callers of an early slice get their
# answers while later clicks are still arriving, instead of all waiting for one large commit
# and then answering at once (bench/bench_rsvp_burst.py: 1 per commit 0.71x the ack-only bot's
# throughput, 64 0.82x, 16 0.89-1.09x).
BATCH_LIMIT = 16
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer s3cop; refusing it protects the data."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """Every ``db/migrations/NNNN_reason.sql`` in version order."""
    found = []
    for entry in resources.files("db.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    # Numbers are reserved per feature (groups 0006, polls 0007, ...), so gaps are expected;
    # two files with one number are not.
    for earlier, later in itertools.pairwise(found):
        if earlier.version == later.version:
            raise RuntimeError(f"migrations {earlier.name} and {later.name} share a number")
    return found


Work = Callable[[sqlite3.Connection], Any]


def _run_batch(
    batch: list[tuple[Work, asyncio.Future[Any]]], conn: sqlite3.Connection
) -> list[tuple[bool, Any]]:
    """In SQLite's thread: one transaction, one savepoint per caller's work."""
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for work, _future in batch:
            conn.execute("SAVEPOINT item")
            try:
                outcomes.append((True, work(conn)))
            except Exception as exc:
                conn.execute("ROLLBACK TO item")
                outcomes.append((False, exc))
            conn.execute("RELEASE item")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


class Database:
    """Owns the aiosqlite connection; repositories borrow it for their queries."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._batch: list[tuple[Work, asyncio.Future[Any]]] = []
        self._batch_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Connect with the pragmas every part of the bot relies on."""
        path = Path(path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; "
            # Deleted rows are overwritten with zeros, not left in free pages: a closed secret
            # poll's key must not be readable from the file afterwards.
            "PRAGMA secure_delete=ON;"
        )
        return cls(conn, path)

    async def close(self) -> None:
        """Finish pending batched writes, then close."""
        if self._batch_task is not None:
            await self._batch_task
        await self.conn.close()

    # -- schema -------------------------------------------------------------------------------

    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[str]:
        """Apply the migrations newer than the database, each in one transaction."""
        migrations = list(bundled_migrations() if migrations is None else migrations)
        current = await self.version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise DatabaseTooNewError(
                f"{self.path} is at schema version {current}, but this s3cop knows only up to "
                f"{latest}: upgrade s3cop, or restore a backup made by this version"
            )
        applied = []
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self._write_lock:
                try:
                    # executescript runs the whole file; BEGIN/COMMIT make it one transaction.
                    await self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                        f"PRAGMA user_version = {migration.version};\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
            log.info("applied migration %s", migration.name)
            applied.append(migration.name)
        return applied

    # -- reads --------------------------------------------------------------------------------

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    # -- writes -------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic unit of writes: everything inside commits together or not at all."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """A single write in its own transaction; returns lastrowid."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run synchronous ``work`` on the connection in its own thread, in one trip.

        Inside :meth:`transaction` it joins that transaction. Many statements in one ``work``
        cost one hand-over between the event loop and SQLite's thread instead of one each.
        aiosqlite has no public call for this: ``_execute`` is its own way to run a function
        in the connection's thread (pinned to aiosqlite < 0.23 in pyproject.toml).
        """
        result: T = await self.conn._execute(work, self.conn._conn)
        return result

    async def batched(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run synchronous ``work`` in a transaction shared with other writes arriving meanwhile.

        ``work`` runs inside its own savepoint: if it raises, only its own changes are undone
        and the exception reaches its caller. The whole batch is one trip to SQLite's thread.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._batch.append((work, future))
        if self._batch_task is None:
            self._batch_task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._batch:
                batch, self._batch = self._batch[:BATCH_LIMIT], self._batch[BATCH_LIMIT:]
                async with self._write_lock:
                    try:
                        outcomes = await self.call(partial(_run_batch, batch))
                    except Exception as exc:  # the batch as a whole failed: all callers hear it
                        outcomes = [(False, exc)] * len(batch)
                for (_work, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._batch_task = None

    # -- maintenance --------------------------------------------------------------------------

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and truncate the log to nothing.

        Between writes (under the write lock), so it cannot be refused by our own transaction;
        False if another connection's reader kept it from finishing.
        """
        async with self._write_lock:
            row = await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] == 0

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database through SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = await aiosqlite.connect(target)
        try:
            await self.conn.backup(dest)
        finally:
            await dest.close()
