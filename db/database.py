"""The one SQLite connection: WAL, foreign keys, a busy timeout, migrations, and the one way
every part of the bot reaches it.

The convention (follow it for every table):

* A query is a plain synchronous function whose first parameter is a ``sqlite3.Connection``,
  e.g. ``def get(conn: sqlite3.Connection, *, event_id: int) -> EventRecord | None``. It lives in
  the feature's repository module ``db/<feature>.py``, returns typed records, and uses ``?``
  parameters only. It never commits: the caller says which transaction it belongs to.
* The connection lives in one thread that the Database owns; the bot hands functions to it:

  - ``await db.read(fn, *args, **kwargs)``: a read (no transaction);
  - ``await db.write(fn, *args, **kwargs)``: ``fn`` in one transaction, rolled back if it
    raises. Writes that belong together are one function that calls the repository's
    functions in turn (a feature's service composes them), so they commit together, in one trip
    to SQLite's thread;
  - ``await db.batched(fn, *args, **kwargs)``: a small write that many members make at the
    same moment (a burst of RSVP clicks). It shares one transaction with the others arriving
    meanwhile, each inside its own savepoint, so a burst costs a few commits and trips instead of
    hundreds, and one failing write never undoes the others.

  One function per action is also what keeps a click at one trip: reading, deciding with the
  rules and storing all happen in the same hand-over.
* A single statement needs no function of its own: ``db.fetchone``, ``db.fetchall`` and
  ``db.execute`` (its own transaction) are shorthands for ``read``/``write`` with the helpers
  :func:`one`, :func:`every`, :func:`insert_id` and :func:`changes`. A repository may wrap its
  functions in a class whose async methods each make one such trip (``db/groups.py``); what
  never happens is holding the connection across an ``await``: no transaction is left open
  while the event loop runs other work.

The thread is a one-worker :class:`~concurrent.futures.ThreadPoolExecutor` (public APIs only);
the connection is opened in it and used nowhere else, which SQLite's ``check_same_thread``
enforces.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
Params = tuple[Any, ...] | dict[str, Any]
# A burst is committed in slices of this many writes: callers of an early slice get their
# answers while later clicks are still arriving, instead of all waiting for one large commit
# and then answering at once (bench/bench_rsvp_burst.py: 1 per commit 0.71x the ack-only bot's
# throughput, 64 0.82x, 16 0.89-1.09x).
BATCH_LIMIT = 16
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
    "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; "
    # Deleted rows are overwritten with zeros, not left in free pages: a closed secret
    # poll's key must not be readable from the file afterwards.
    "PRAGMA secure_delete=ON;"
)


class SchemaRefusedError(RuntimeError):
    """The database's schema history does not fit this s3cop's migrations: nothing is changed,
    and the message says what to do."""


class DatabaseTooNewError(SchemaRefusedError):
    """The database was written by a newer s3cop; refusing it protects the data."""


class MigrationChangedError(SchemaRefusedError):
    """A migration that ran on this database has a different text now: whatever it changed
    was applied from the old text, and running on would hide that."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """What the ledger records, so a file changed after it ran is noticed (line endings
        do not count: a checkout on Windows is the same migration)."""
        return hashlib.sha256(self.sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Applied:
    """One row of the ledger: a migration that ran on this database."""

    version: int
    name: str
    checksum: str


def bundled_migrations() -> list[Migration]:
    """Every ``db/migrations/NNNN_reason.sql`` in version order. Numbers are reserved per
    feature, so gaps are allowed; two files with one number are not."""
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


def one(conn: sqlite3.Connection, sql: str, params: Params = ()) -> sqlite3.Row | None:
    """The first row of an ad-hoc query."""
    row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
    return row


def every(conn: sqlite3.Connection, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """Every row of an ad-hoc query."""
    return list(conn.execute(sql, params))


def insert_id(conn: sqlite3.Connection, sql: str, params: Params = ()) -> int:
    """One ad-hoc write; the new row's id."""
    return conn.execute(sql, params).lastrowid or 0


def changes(conn: sqlite3.Connection, sql: str, params: Params = ()) -> int:
    """One ad-hoc write; how many rows it changed."""
    return conn.execute(sql, params).rowcount


def _connect(path: Path) -> sqlite3.Connection:
    """In SQLite's thread: connect with the pragmas every part of the bot relies on. Autocommit
    mode (``isolation_level=None``): transactions are begun explicitly, by :meth:`write`."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.executescript(PRAGMAS)
    return conn


def _in_transaction(conn: sqlite3.Connection, work: Work) -> Any:
    """In SQLite's thread: ``work`` in one transaction; rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _run_batch(
    conn: sqlite3.Connection, batch: list[tuple[Work, asyncio.Future[Any]]]
) -> list[tuple[bool, Any]]:
    """In SQLite's thread: one transaction, one savepoint per caller's work."""
    outcomes: list[tuple[bool, Any]] = []

    def each(conn: sqlite3.Connection) -> None:
        for work, _future in batch:
            conn.execute("SAVEPOINT item")
            try:
                outcomes.append((True, work(conn)))
            except Exception as exc:
                conn.execute("ROLLBACK TO item")
                outcomes.append((False, exc))
            conn.execute("RELEASE item")

    _in_transaction(conn, each)
    return outcomes


LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL
)"""


def _ledger(conn: sqlite3.Connection, known: list[Migration]) -> tuple[int, list[Applied]]:
    """In SQLite's thread: ``PRAGMA user_version`` and the migrations applied, by version.

    A database from before the ledger kept only ``user_version``, the highest number applied,
    and every numbered file up to it had run (the old runner went in order, and each reserved
    number was on main before a later one). Its ledger starts as those files; from then on
    each migration is recorded as it runs, so one whose number lands later than a higher one
    is still applied."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute(LEDGER)
        empty = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 0
        if empty and version > 0:
            conn.executemany(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [(m.version, m.name, m.checksum) for m in known if m.version <= version],
            )
        rows = conn.execute(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
        ).fetchall()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return version, [Applied(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def _migrate(conn: sqlite3.Connection, migration: Migration, version: int) -> None:
    """In SQLite's thread: one migration, its ledger row and ``user_version`` (the highest
    number applied, which an older s3cop reads to refuse the database), in one transaction."""
    name = migration.name.replace("'", "''")
    try:
        # executescript runs the whole file; BEGIN/COMMIT make it one transaction.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{migration.sql}\n;\n"
            "INSERT INTO schema_migrations (version, name, checksum) "
            f"VALUES ({int(migration.version)}, '{name}', '{migration.checksum}');\n"
            f"PRAGMA user_version = {max(version, migration.version)};\nCOMMIT;"
        )
    except sqlite3.Error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def check_ledger(path: Path, known: list[Migration], applied: list[Applied]) -> None:
    """Refuse a database whose history this s3cop cannot continue: a migration ran that it
    does not have (a newer s3cop's), or one that ran has a different text now."""
    by_version = {m.version: m for m in known}
    for done in applied:
        migration = by_version.get(done.version)
        if migration is None:
            raise DatabaseTooNewError(
                f"{path} has migration {done.name}, which this s3cop does not have: upgrade "
                "s3cop, or restore a backup made by this version"
            )
        if (migration.name, migration.checksum) != (done.name, done.checksum):
            changed = (
                f"{done.name} was changed"
                if migration.name == done.name
                else f"{done.name} was replaced by {migration.name}"
            )
            raise MigrationChangedError(
                f"{path}: migration {changed} after it ran on this database; a migration that "
                "has run stays as it is: put the change in a new migration, or restore the file"
            )


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()


class Database:
    """Owns the connection and the one thread it is used in; see the module's convention."""

    def __init__(self, path: Path, executor: ThreadPoolExecutor) -> None:
        self.path = path
        self._executor = executor
        self._conn: sqlite3.Connection | None = None
        self._batch: list[tuple[Work, asyncio.Future[Any]]] = []
        self._batch_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        db = cls(path, ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite"))
        db._conn = await db._hand_over(_connect, path)
        return db

    async def close(self) -> None:
        """Finish pending batched writes, then close the connection and its thread."""
        if self._batch_task is not None:
            await self._batch_task
        if self._conn is not None:
            await self._hand_over(sqlite3.Connection.close, self._conn)
            self._conn = None
        self._executor.shutdown(wait=True)

    async def _hand_over(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in SQLite's thread: one trip."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"the database {self.path} is closed")
        return self._conn

    # -- the convention -----------------------------------------------------------------------

    async def read(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(conn, *args, **kwargs)`` in SQLite's thread, outside any transaction."""
        return await self._hand_over(partial(fn, self._connection, *args, **kwargs))

    async def write(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(conn, *args, **kwargs)`` in one transaction, in one trip; undone if it raises."""
        result: T = await self._hand_over(
            _in_transaction, self._connection, lambda conn: fn(conn, *args, **kwargs)
        )
        return result

    async def batched(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like :meth:`write`, in a transaction shared with other writes arriving meanwhile.

        ``fn`` runs inside its own savepoint: if it raises, only its own changes are undone and
        the exception reaches its caller."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._batch.append((lambda conn: fn(conn, *args, **kwargs), future))
        if self._batch_task is None:
            self._batch_task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._batch:
                batch, self._batch = self._batch[:BATCH_LIMIT], self._batch[BATCH_LIMIT:]
                try:
                    outcomes = await self._hand_over(_run_batch, self._connection, batch)
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

    # -- one statement ------------------------------------------------------------------------

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """One statement's first row: ``read(one, sql, params)``."""
        return await self.read(one, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """One statement's rows: ``read(every, sql, params)``."""
        return await self.read(every, sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; the new row's id (``write(insert_id, ...)``).
        For how many rows changed, ``write(changes, sql, params)``."""
        return await self.write(insert_id, sql, params)

    # -- schema -------------------------------------------------------------------------------

    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[str]:
        """Apply every migration the database has not had yet, in number order, each in one
        transaction; refuse (changing nothing) a database that ran a migration this s3cop does
        not have, or whose text changed since (:func:`check_ledger`)."""
        migrations = list(bundled_migrations() if migrations is None else migrations)
        current = await self.version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise DatabaseTooNewError(
                f"{self.path} is at schema version {current}, but this s3cop knows only up to "
                f"{latest}: upgrade s3cop, or restore a backup made by this version"
            )
        current, done = await self._hand_over(_ledger, self._connection, migrations)
        check_ledger(self.path, migrations, done)
        ran = {d.version for d in done}
        applied = []
        for migration in migrations:
            if migration.version in ran:
                continue
            await self._hand_over(_migrate, self._connection, migration, current)
            current = max(current, migration.version)
            log.info("applied migration %s", migration.name)
            applied.append(migration.name)
        return applied

    # -- maintenance --------------------------------------------------------------------------

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and truncate the log to nothing.

        Run in SQLite's thread between two writes (no transaction of ours is ever left open
        there), so our own writes cannot refuse it; False if another connection's reader kept
        it from finishing.
        """
        row = await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] == 0

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database through SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        await self._hand_over(_backup, self._connection, target)
