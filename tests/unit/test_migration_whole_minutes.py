"""Migration 0003 repairs rows an event with seconds in its start left behind (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cogs.events._queries import schedule_from
from db import events, scheduled
from db.database import Database, bundled_migrations

EXACT = 1795872554  # 2026-11-28 13:29:14 UTC, 15:29:14 in Helsinki
MINUTE = EXACT - 14
NOW = "2026-11-28T10:00:00.000000Z"


async def test_keys_answers_changes_and_pending_actions_move_to_the_minute(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate(bundled_migrations()[:2])
    await db.execute(
        "INSERT INTO events (id, guild_id, channel_id, organiser_id, title, start_local, tz, "
        "duration_minutes, format, link, reminders, rrule, created_at, updated_at) VALUES "
        "(1, 5, 6, 7, 'Kick-off', '2026-11-28T15:29:14', 'Europe/Helsinki', 60, 'online', "
        "'https://x.example.org', '3600', 'FREQ=WEEKLY;COUNT=3', ?, ?)",
        (NOW, NOW),
    )
    for user, key, answer, order in (
        (11, EXACT, "going", 1),  # only under the key with seconds: moved
        (12, EXACT, "maybe", 2),  # under both: the minute key's answer stays
        (12, MINUTE, "going", 3),
    ):
        await db.execute(
            "INSERT INTO rsvps VALUES (5, 1, ?, ?, ?, ?)", (str(key), user, answer, order)
        )
    second = EXACT + 7 * 86400
    await db.execute(
        "INSERT INTO event_overrides VALUES (5, 1, ?, '2026-12-05T14:00:30.000000Z', 90, 0)",
        (str(second),),
    )
    for kind, key, due in (
        ("event.remind", f"event:1:{EXACT}:remind:3600", "2026-11-28T12:29:14.000000Z"),
        ("event.start", f"event:1:{EXACT}:start", "2026-11-28T13:29:14.000000Z"),
        ("event.start", f"event:1:{MINUTE}:start", "2026-11-28T13:29:00.000000Z"),
    ):
        occurrence = key.split(":")[2]
        await db.execute(
            "INSERT INTO scheduled_actions (guild_id, kind, dedupe_key, due_at, payload, "
            "created_at) VALUES (5, ?, ?, ?, ?, ?)",
            (kind, key, due, f'{{"event": 1, "occurrence": "{occurrence}"}}', NOW),
        )

    assert await db.migrate() == [m.name for m in bundled_migrations()[2:]]

    event = await db.read(events.get, guild_id=5, event_id=1)
    assert event is not None
    assert event.start_local == datetime(2026, 11, 28, 15, 29, tzinfo=event.start_local.tzinfo)
    schedule, overrides = schedule_from(event, await db.read(events.overrides, 1))
    answers = await db.read(events.rsvps, 1, str(MINUTE))
    assert {r.user_id: r.answer for r in answers} == {11: "going", 12: "going"}
    assert await db.read(events.rsvps, 1, str(EXACT)) == []
    moved = schedule.find(overrides, str(second - 14))
    assert moved is not None and moved.start == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert moved.end - moved.start == timedelta(minutes=90)

    remind = await db.read(scheduled.by_key, f"event:1:{MINUTE}:remind:3600")
    assert remind is not None and remind.status == "pending"
    assert remind.due_at == datetime(2026, 11, 28, 12, 29, tzinfo=UTC)
    assert remind.payload["occurrence"] == str(MINUTE)
    assert schedule.find(overrides, remind.payload["occurrence"]) is not None
    duplicate = await db.read(scheduled.by_key, f"event:1:{EXACT}:start")
    assert duplicate is not None and duplicate.status == "cancelled"
    start = await db.read(scheduled.by_key, f"event:1:{MINUTE}:start")
    assert start is not None and start.status == "pending"
    await db.close()
