"""Storage on a real SQLite file: migrations, transactions, batched writes, backup."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from db.database import (
    Database,
    DatabaseTooNewError,
    Migration,
    MigrationChangedError,
    bundled_migrations,
)


def insert_one(conn: sqlite3.Connection, sql: str) -> None:
    conn.execute(sql)


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    applied = await db.migrate()
    assert applied == [m.name for m in bundled_migrations()]
    assert await db.version() == bundled_migrations()[-1].version
    assert await db.migrate() == []
    mode = await db.fetchone("PRAGMA journal_mode")
    assert mode is not None and mode[0] == "wal"
    fk = await db.fetchone("PRAGMA foreign_keys")
    assert fk is not None and fk[0] == 1
    await db.close()


async def test_upgrade_applies_only_newer_migrations(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    first = [Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")]
    both = [*first, Migration(2, "0002_b.sql", "ALTER TABLE a ADD COLUMN y TEXT;")]
    assert await db.migrate(first) == ["0001_a.sql"]
    await db.write(insert_one, "INSERT INTO a (x) VALUES (1)")
    assert await db.migrate(both) == ["0002_b.sql"]
    row = await db.fetchone("SELECT x, y FROM a")
    assert row is not None and (row["x"], row["y"]) == (1, None)
    await db.close()


async def test_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    broken = [Migration(1, "0001_bad.sql", "CREATE TABLE t (x INTEGER);\nNOT SQL;")]
    with pytest.raises(Exception, match="syntax error"):
        await db.migrate(broken)
    assert await db.version() == 0
    assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 't'") is None
    await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.write(insert_one, "PRAGMA user_version = 99")
    with pytest.raises(DatabaseTooNewError, match="upgrade s3cop"):
        await db.migrate()
    await db.close()


A = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
C = Migration(3, "0003_c.sql", "CREATE TABLE c (x INTEGER);")
B = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER);")


async def tables(db: Database) -> list[str]:
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b', 'c')"
    )
    return sorted(r[0] for r in rows)


async def test_a_migration_numbered_below_one_applied_is_still_applied(tmp_path: Path) -> None:
    """Numbers are reserved per lane, so 0002 may land after 0003 ran: it runs then, once."""
    db = await Database.open(tmp_path / "s.sqlite3")
    assert await db.migrate([A, C]) == ["0001_a.sql", "0003_c.sql"]
    assert await db.migrate([A, B, C]) == ["0002_b.sql"]
    assert await tables(db) == ["a", "b", "c"]
    assert await db.version() == 3  # the highest applied, as an older s3cop reads it
    assert await db.migrate([A, B, C]) == []
    await db.close()
    again = await Database.open(tmp_path / "s.sqlite3")  # the ledger is in the file
    assert await again.migrate([A, B, C]) == []
    await again.close()


async def test_a_database_from_before_the_ledger_keeps_what_it_had(tmp_path: Path) -> None:
    """The old runner kept only user_version: everything up to it had run, nothing after."""
    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(f"{A.sql}\n{B.sql}\nPRAGMA user_version = 2;")
    conn.close()
    db = await Database.open(path)
    assert await db.migrate([A, B, C]) == ["0003_c.sql"]
    rows = await db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [tuple(r) for r in rows] == [(1, "0001_a.sql"), (2, "0002_b.sql"), (3, "0003_c.sql")]
    await db.close()


async def test_a_migration_this_s3cop_lacks_is_refused(tmp_path: Path) -> None:
    """Ran by a newer s3cop (its number below this one's highest): refused, nothing changed."""
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate([A, B, C])
    with pytest.raises(DatabaseTooNewError, match=r"has migration 0002_b\.sql, which this s3cop"):
        await db.migrate([A, C, Migration(4, "0004_d.sql", "CREATE TABLE d (x INTEGER);")])
    assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'd'") is None
    await db.close()


@pytest.mark.parametrize(
    ("changed", "says"),
    [
        (Migration(2, "0002_b.sql", "CREATE TABLE b (x, y);"), r"0002_b\.sql was changed"),
        (Migration(2, "0002_z.sql", B.sql), r"0002_b\.sql was replaced by 0002_z\.sql"),
    ],
)
async def test_a_migration_changed_after_it_ran_is_refused(
    tmp_path: Path, changed: Migration, says: str
) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate([A, B])
    later = Migration(3, "0003_c.sql", "CREATE TABLE c (x INTEGER);")
    with pytest.raises(MigrationChangedError, match=says):
        await db.migrate([A, changed, later])
    assert await tables(db) == ["a", "b"]
    await db.close()


async def test_line_endings_do_not_change_a_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    two_lines = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y);\n")
    await db.migrate([two_lines])
    windows = Migration(1, "0001_a.sql", two_lines.sql.replace("\n", "\r\n"))
    assert await db.migrate([windows]) == []
    await db.close()


async def test_a_failed_migration_is_not_recorded(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate([A])
    with pytest.raises(sqlite3.Error):
        await db.migrate([A, Migration(2, "0002_bad.sql", "CREATE TABLE b (x);\nNOT SQL;")])
    rows = await db.fetchall("SELECT name FROM schema_migrations")
    assert [r[0] for r in rows] == ["0001_a.sql"]
    assert await db.migrate([A, B]) == ["0002_b.sql"]
    await db.close()


async def test_transaction_rolls_back_together(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()

    def two_writes(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO member_prefs (guild_id, user_id) VALUES (1, 1)")
        raise RuntimeError("second write failed")

    with pytest.raises(RuntimeError):
        await db.write(two_writes)
    assert await db.fetchone("SELECT * FROM member_prefs") is None
    await db.close()


async def test_batched_writes_share_a_transaction_but_fail_alone(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()

    def insert(user: int) -> Callable[[sqlite3.Connection], int]:
        def work(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO member_prefs (guild_id, user_id) VALUES (1, ?)", (user,))
            return user

        return work

    results = await asyncio.gather(
        *(db.batched(insert(u)) for u in (1, 2, 2, 3)), return_exceptions=True
    )
    assert results[0] == 1 and results[1] == 2 and results[3] == 3
    assert isinstance(results[2], Exception)  # the duplicate alone fails
    rows = await db.fetchall("SELECT user_id FROM member_prefs ORDER BY user_id")
    assert [r[0] for r in rows] == [1, 2, 3]
    await db.close()


async def test_online_backup_is_consistent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()
    await db.write(insert_one, "INSERT INTO member_prefs (guild_id, user_id) VALUES (1, 7)")
    await db.backup(tmp_path / "copy" / "b.sqlite3")
    copy = await Database.open(tmp_path / "copy" / "b.sqlite3")
    assert await copy.version() == await db.version()
    row = await copy.fetchone("SELECT user_id FROM member_prefs")
    assert row is not None and row[0] == 7
    await copy.close()
    await db.close()


async def test_reads_and_writes_run_in_one_thread_of_their_own(tmp_path: Path) -> None:
    """The connection is used only in the Database's thread (SQLite's check_same_thread holds
    it to that), never in the event loop's."""
    db = await Database.open(tmp_path / "s.sqlite3")

    def where(conn: sqlite3.Connection) -> str:
        return threading.current_thread().name

    threads = {await db.read(where), await db.write(where), await db.batched(where)}
    assert len(threads) == 1 and threads != {threading.current_thread().name}
    await db.close()
    with pytest.raises(RuntimeError, match="closed"):
        await db.read(where)


async def test_arguments_reach_the_function_after_the_connection(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()

    def put(conn: sqlite3.Connection, guild: int, user: int, *, zone: str) -> int:
        conn.execute(
            "INSERT INTO member_prefs (guild_id, user_id, timezone) VALUES (?, ?, ?)",
            (guild, user, zone),
        )
        return user

    assert await db.write(put, 1, 2, zone="UTC") == 2
    assert await db.batched(put, 1, 3, zone="UTC") == 3
    row = await db.fetchone("SELECT count(*) FROM member_prefs WHERE timezone = 'UTC'")
    assert row is not None and row[0] == 2
    await db.close()
