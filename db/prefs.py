"""Repository for each member's own preferences: time zone, language, reminder DMs.

Functions on a ``sqlite3.Connection``, run through :class:`db.database.Database`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from db.personal import PersonalData, declare


@dataclass(frozen=True)
class MemberPrefs:
    timezone: str | None = None
    language: str | None = None
    reminders_dm: bool = True


def get(conn: sqlite3.Connection, guild_id: int, user_id: int) -> MemberPrefs:
    row = conn.execute(
        "SELECT timezone, language, reminders_dm FROM member_prefs "
        "WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    ).fetchone()
    return MemberPrefs(row[0], row[1], bool(row[2])) if row else MemberPrefs()


def many(conn: sqlite3.Connection, guild_id: int, user_ids: list[int]) -> dict[int, MemberPrefs]:
    """The stored preferences of several members (those who have none are left out)."""
    if not user_ids:
        return {}
    marks = ", ".join("?" for _ in user_ids)
    sql = (
        "SELECT user_id, timezone, language, reminders_dm FROM member_prefs "  # noqa: S608 - placeholders only
        f"WHERE guild_id = ? AND user_id IN ({marks})"
    )
    rows = conn.execute(sql, (guild_id, *user_ids))
    return {r[0]: MemberPrefs(r[1], r[2], bool(r[3])) for r in rows}


def set_timezone(conn: sqlite3.Connection, guild_id: int, user_id: int, timezone: str) -> None:
    conn.execute(
        "INSERT INTO member_prefs (guild_id, user_id, timezone) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET timezone = excluded.timezone",
        (guild_id, user_id, timezone),
    )


def set_reminders(conn: sqlite3.Connection, guild_id: int, user_id: int, enabled: bool) -> None:
    conn.execute(
        "INSERT INTO member_prefs (guild_id, user_id, reminders_dm) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET reminders_dm = excluded.reminders_dm",
        (guild_id, user_id, int(enabled)),
    )


def remember_languages(conn: sqlite3.Connection, rows: list[tuple[int, int, str]]) -> None:
    """Keep members' client languages, (guild, user, language) each, so DMs sent later speak
    them too."""
    conn.executemany(
        "INSERT INTO member_prefs (guild_id, user_id, language) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET language = excluded.language "
        "WHERE member_prefs.language IS NOT excluded.language",
        rows,
    )


declare(PersonalData("member_prefs", "user_id", "preferences", erase="delete"))
