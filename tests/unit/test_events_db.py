"""db/events.py on a real SQLite file: each function as the events service composes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from db import events
from db.database import Database
from db.events import EventRecord, OverrideRecord

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")
EVENT = EventRecord(
    id=0,
    guild_id=1,
    channel_id=10,
    message_id=None,
    thread_id=None,
    organiser_id=100,
    title="Kick-off",
    description="Agenda",
    start_local=datetime(2026, 12, 3, 14, 0, tzinfo=HELSINKI),
    tz="Europe/Helsinki",
    duration=timedelta(minutes=90),
    format="online",
    link="https://meet.example.org/k",
    venue=None,
    audience_role_id=None,
    capacity=2,
    reminders="86400,3600",
    rrule=None,
    status="scheduled",
    discord_event_id=None,
    sequence=0,
)
OCC = "1796299200"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "s.sqlite3")
    await database.migrate()
    yield database
    await database.close()


async def new_event(db: Database, record: EventRecord = EVENT) -> EventRecord:
    event_id = await db.write(events.insert, record, NOW)
    stored = await db.read(events.get, guild_id=record.guild_id, event_id=event_id)
    assert stored is not None
    return stored


async def test_an_event_reads_back_as_written(db: Database) -> None:
    stored = await new_event(db)
    assert stored == replace(EVENT, id=stored.id)
    assert stored.start_local.utcoffset() == timedelta(hours=2)  # its own zone, EET
    assert await db.read(events.get, guild_id=2, event_id=stored.id) is None  # other guild
    assert await db.read(events.get, guild_id=None, event_id=stored.id) == stored


async def test_an_edit_writes_only_what_a_member_can_edit(db: Database) -> None:
    stored = await new_event(db)
    await db.write(events.set_message, stored.id, 555, 556)
    await db.write(events.set_discord_event, stored.id, 777)
    # An edit made from the record read before the message and the mirror were stored:
    await db.write(events.update, replace(stored, title="Renamed", capacity=5), NOW)
    after = await db.read(events.get, guild_id=1, event_id=stored.id)
    assert after is not None
    assert (after.title, after.capacity, after.sequence) == ("Renamed", 5, 1)
    assert (after.message_id, after.thread_id, after.discord_event_id) == (555, 556, 777)


async def test_cancelled_events_are_listed_only_when_asked(db: Database) -> None:
    first = await new_event(db)
    second = await new_event(db, replace(EVENT, title="Second"))
    await db.write(events.update, replace(second, status="cancelled"), NOW)
    assert [e.id for e in await db.read(events.in_guild, 1)] == [first.id]
    listed = await db.read(events.in_guild, 1, include_cancelled=True)
    assert [e.id for e in listed] == [first.id, second.id]


async def test_answers_keep_the_waitlist_order(db: Database) -> None:
    event = await new_event(db)
    for user, answer in ((1, "going"), (2, "waitlist"), (3, "waitlist"), (4, "maybe")):
        await db.write(events.put_rsvp, event.id, OCC, user, answer)
    await db.write(events.put_rsvp, event.id, OCC, 2, "waitlist")  # pressed again: keeps place
    assert await db.read(events.going_and_waitlist, event.id, OCC) == (1, [2, 3])
    assert await db.read(events.counts, event.id, OCC) == {"going": 1, "waitlist": 2, "maybe": 1}
    assert await db.read(events.rsvp_of, event.id, OCC, 3) == "waitlist"
    await db.write(events.put_rsvp, event.id, OCC, 2, "declined")
    await db.write(events.put_rsvp, event.id, OCC, 2, "waitlist")  # back: to the end of the line
    assert await db.read(events.going_and_waitlist, event.id, OCC) == (1, [3, 2])
    rows = await db.read(events.rsvps, event.id, OCC)
    assert [r.user_id for r in rows] == [1, 3, 4, 2]  # in the order answered
    assert await db.read(events.waitlist, event.id, OCC, limit=1) == [3]  # who a seat moves up
    places = {u: await db.read(events.waitlist_place, event.id, OCC, u) for u in (3, 2, 1, 9)}
    assert places == {3: 1, 2: 2, 1: 3, 9: 3}  # not waiting: the next place in line
    mine = await db.read(events.answers_of, 4, [(event.id, OCC), (event.id, "other")])
    assert mine == {(event.id, OCC): "maybe"}


async def test_changes_and_answers_follow_renamed_occurrences(db: Database) -> None:
    event = await new_event(db, replace(EVENT, rrule="FREQ=WEEKLY;COUNT=3"))
    later = "1796904000"
    moved = OverrideRecord(OCC, NOW + timedelta(days=6), timedelta(minutes=30), False)
    await db.write(events.put_override, event.id, moved)
    await db.write(events.put_rsvp, event.id, OCC, 1, "going")
    await db.write(events.put_rsvp, event.id, later, 1, "maybe")
    assert await db.read(events.occurrence_keys, event.id) == {OCC, later}
    await db.write(events.rename_occurrences, event.id, {OCC: "1796302800", later: None})
    assert await db.read(events.occurrence_keys, event.id) == {"1796302800"}
    assert await db.read(events.overrides, event.id) == {
        "1796302800": replace(moved, occurrence="1796302800")
    }
    after = await db.read(events.get, guild_id=1, event_id=event.id)
    assert after is not None and after.sequence == 1  # the change raised it once


async def test_deleting_an_event_takes_its_answers_and_changes(db: Database) -> None:
    event = await new_event(db)
    await db.write(events.put_rsvp, event.id, OCC, 1, "going")
    await db.write(events.put_override, event.id, OverrideRecord(OCC, None, None, True))
    await db.write(events.delete, event.id)
    assert await db.read(events.occurrence_keys, event.id) == set()


async def test_a_guild_keeps_its_first_feed_token(db: Database) -> None:
    first = await db.write(events.feed_token, 1, "token-a")
    assert await db.write(events.feed_token, 1, "token-b") == first == "token-a"
    assert await db.read(events.guild_of_feed, "token-a") == 1
    assert await db.read(events.guild_of_feed, "token-b") is None
