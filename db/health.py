"""Repository for the health check's own row (functions on a ``sqlite3.Connection``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from db.times import to_db


def record_check(conn: sqlite3.Connection, now: datetime) -> None:
    """A real write, so a database that takes no writes fails the check."""
    conn.execute(
        "INSERT INTO health_checks (id, checked_at) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        (to_db(now),),
    )
