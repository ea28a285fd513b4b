-- Events: a single event or a series (rrule), its RSVPs per occurrence, per-occurrence changes,
-- and each guild's calendar feed token. Every row carries its guild id. An occurrence is named by its original start in UTC
-- (ISO text), like RFC 5545's RECURRENCE-ID, so it keeps its name when moved.

CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER,
    thread_id        INTEGER,                    -- a discussion thread under the announcement
    organiser_id     INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    start_local      TEXT    NOT NULL,           -- wall-clock start in tz, e.g. 2026-12-03T14:00
    tz               TEXT    NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    format           TEXT    NOT NULL CHECK (format IN ('online', 'live', 'hybrid')),
    link             TEXT,
    venue            TEXT,
    audience_role_id INTEGER,
    capacity         INTEGER CHECK (capacity IS NULL OR capacity >= 1),
    reminders        TEXT    NOT NULL DEFAULT '',  -- offsets in seconds, comma separated
    rrule            TEXT,
    status           TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    discord_event_id INTEGER,
    sequence         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX events_guild ON events (guild_id, status);

CREATE TABLE event_overrides (
    guild_id         INTEGER NOT NULL,
    event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence       TEXT    NOT NULL,
    start_utc        TEXT,
    duration_minutes INTEGER,
    cancelled        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, occurrence)
);

CREATE TABLE rsvps (
    guild_id    INTEGER NOT NULL,
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('going', 'maybe', 'declined', 'waitlist')),
    answered_at INTEGER NOT NULL,                -- a sequence number: waitlist order
    PRIMARY KEY (event_id, occurrence, user_id)
);
CREATE INDEX rsvps_order ON rsvps (event_id, occurrence, answer, answered_at);

CREATE TABLE calendar_feeds (
    guild_id INTEGER PRIMARY KEY,
    token    TEXT NOT NULL UNIQUE
);
