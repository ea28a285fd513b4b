-- Foundation: scheduled actions (the source of truth for everything the bot does later),
-- the sent-log that makes every send happen once, and each member's preferences.
-- Times are UTC, stored as ISO 8601 text ending in Z so they sort and read well.

CREATE TABLE scheduled_actions (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    dedupe_key  TEXT    NOT NULL UNIQUE,
    due_at      TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'missed', 'cancelled', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    note        TEXT,
    created_at  TEXT    NOT NULL,
    finished_at TEXT
);
CREATE INDEX scheduled_actions_pending ON scheduled_actions (due_at) WHERE status = 'pending';

CREATE TABLE sent_log (
    key      TEXT PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    sent_at  TEXT NOT NULL
);

CREATE TABLE member_prefs (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    timezone     TEXT,
    language     TEXT,
    reminders_dm INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (guild_id, user_id)
);
