"""UTC instants as stored: ISO 8601 text ending in Z, which sorts the same way time runs."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """An aware datetime as stored text; naive datetimes are a bug and are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store aware UTC instants only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    """Stored text back to an aware UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
