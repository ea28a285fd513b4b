-- Support requests: the request (written before anything is posted on Discord, so none is lost
-- when Discord fails half-way), its status history, the transcript kept at resolve with copies
-- of its attachments (Discord's links expire), and each guild's limits.

CREATE TABLE support_requests (
    id                   INTEGER PRIMARY KEY,
    guild_id             INTEGER NOT NULL,
    requester_id         INTEGER NOT NULL,
    topic                TEXT    NOT NULL,
    need                 TEXT    NOT NULL,
    region               TEXT    NOT NULL,
    group_name           TEXT,
    language             TEXT    NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'claimed', 'resolved', 'reopened')),
    claimed_by           INTEGER,
    claimed_at           TEXT,
    first_claimed_at     TEXT,                    -- for the time-to-claim report
    resolved_at          TEXT,
    resolved_by          INTEGER,
    outcome              TEXT,
    awaiting_staff_since TEXT,                    -- the requester waits on the secretariat
    version              INTEGER NOT NULL DEFAULT 0,  -- raised by every change: two at once
    thread_id            INTEGER,                 -- the requester's private thread
    card_channel_id      INTEGER,                 -- the triage card
    card_message_id      INTEGER,
    notes_thread_id      INTEGER,                 -- staff-only notes
    posted               INTEGER NOT NULL DEFAULT 0,  -- thread, card and notes all exist
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);
CREATE INDEX support_requests_requester ON support_requests (guild_id, requester_id, status);
CREATE INDEX support_requests_status ON support_requests (guild_id, status);
CREATE UNIQUE INDEX support_requests_thread ON support_requests (thread_id);

CREATE TABLE support_history (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    note        TEXT
);
CREATE INDEX support_history_request ON support_history (request_id, id);

-- One row per message of the request's thread, copied at resolve; copying again adds only
-- messages not kept yet.
CREATE TABLE support_messages (
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    message_id  INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    PRIMARY KEY (request_id, message_id)
);

CREATE TABLE support_files (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    message_id    INTEGER NOT NULL,
    attachment_id INTEGER NOT NULL UNIQUE,
    filename      TEXT    NOT NULL,
    content_type  TEXT,
    data          BLOB    NOT NULL
);
CREATE INDEX support_files_request ON support_files (request_id, message_id);

-- The secretariat's limits, overriding config.toml's [support] defaults.
CREATE TABLE support_settings (
    guild_id          INTEGER PRIMARY KEY,
    max_open          INTEGER NOT NULL CHECK (max_open >= 1),
    excluded_role_ids TEXT    NOT NULL DEFAULT '[]',   -- JSON list of role ids
    updated_by        INTEGER NOT NULL,
    updated_at        TEXT    NOT NULL
);
