"""Where a member's personal data is kept: one registry that an export-and-erase command can
walk without knowing the features.

Each repository declares, next to its SQL, the columns of its tables that hold a member's user
id; the rows found through them are that member's data (with everything else on those rows:
their answers, profile, application text, messages)::

    personal.declare(
        PersonalData("rsvps", "user_id", "answers to events", erase="delete"),
        PersonalData("events", "organiser_id", "events organised", erase="anonymise"),
    )

``erase="delete"`` rows are the member's own (an answer, a preference) and go with them;
``erase="anonymise"`` rows belong to the community (an event someone organised, a decision a
lead took) and keep existing with the member's id removed. tests/unit/test_personal_data.py
fails when a migration adds a column that looks like a member's id and no repository declared it.

Not columns, so not here: ``sent_log`` and ``send_intents`` keys may name a member (``dm:ID``);
they only say that a message was sent and are needed so it is never sent twice. Nor the payload
of a notice (``bot/notices.py``) in ``scheduled_actions``, JSON that lists the members it was for
and its text: an erase does not reach it yet.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PersonalData:
    """Rows of ``table`` whose ``column`` holds a member's user id."""

    table: str
    column: str
    about: str  # what the rows are, in English, as an export's heading
    erase: Literal["delete", "anonymise"]


_REGISTRY: dict[tuple[str, str], PersonalData] = {}


def declare(*entries: PersonalData) -> None:
    """A repository's declaration, made when it is imported."""
    for entry in entries:
        _REGISTRY[(entry.table, entry.column)] = entry


def declared() -> list[PersonalData]:
    """Every declaration of every repository in ``db/`` (each is imported first)."""
    import db

    for module in pkgutil.iter_modules(db.__path__):
        if not module.ispkg:
            importlib.import_module(f"db.{module.name}")
    return sorted(_REGISTRY.values(), key=lambda e: (e.table, e.column))


def rows_of(conn: sqlite3.Connection, entry: PersonalData, user_id: int) -> list[sqlite3.Row]:
    """One member's rows in one declared place (an export walks :func:`declared` with this)."""
    sql = f"SELECT * FROM {entry.table} WHERE {entry.column} = ?"  # noqa: S608 - declared names
    return list(conn.execute(sql, (user_id,)))
