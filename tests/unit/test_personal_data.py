"""The personal-data registry covers every column that holds a member's id."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from db import personal
from db.database import Database, bundled_migrations

# A column holds a member's id if it is named like one: user_id, voter, author_id, created_by...
MEMBER_ID = re.compile(
    r"(user|member|organiser|organizer|creator|requester|author|actor|voter|owner)(_id)?"
    r"|\w+_by"
)
# Named like a member's id but holding none, each with the reason.
NOT_MEMBER_IDS: dict[str, str] = {}


def schema() -> dict[str, list[str]]:
    """Every table and its columns after all migrations."""
    conn = sqlite3.connect(":memory:")
    for migration in bundled_migrations():
        conn.executescript(migration.sql)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_every_member_id_column_is_declared_by_its_repository() -> None:
    declared = {(e.table, e.column) for e in personal.declared()}
    missing = [
        f"{table}.{column}"
        for table, columns in schema().items()
        for column in columns
        if MEMBER_ID.fullmatch(column)
        and (table, column) not in declared
        and f"{table}.{column}" not in NOT_MEMBER_IDS
    ]
    assert missing == [], (
        f"{missing} hold a member's id but no repository declares them as personal data. "
        "In the repository that owns the table (db/<feature>.py), add "
        'declare(PersonalData("<table>", "<column>", "<what it is>", erase="delete" or '
        '"anonymise")) from db.personal, so an export or erase finds the member there. '
        "If the column holds no member's id, add it to NOT_MEMBER_IDS in this test, with why."
    )


def test_every_declaration_names_a_real_column() -> None:
    tables = schema()
    stale = [
        f"{e.table}.{e.column}"
        for e in personal.declared()
        if e.column not in tables.get(e.table, [])
    ]
    assert stale == [], f"declared as personal data but not in the schema: {stale}"


async def test_a_members_rows_are_found_through_the_registry(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()
    await db.execute("INSERT INTO member_prefs (guild_id, user_id, language) VALUES (1, 42, 'fi')")
    await db.execute("INSERT INTO member_prefs (guild_id, user_id, language) VALUES (1, 7, 'en')")
    found = {
        e.table: await db.read(personal.rows_of, e, 42)
        for e in personal.declared()
        if e.table == "member_prefs"
    }
    assert [dict(r)["language"] for r in found["member_prefs"]] == ["fi"]
    await db.close()
