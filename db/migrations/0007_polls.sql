-- Polls: the poll, its electorate fixed when it opens, its ballots, and (while it is open) the
-- secret that keys each voter's hash. Times are UTC text ending in Z.

CREATE TABLE polls (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    message_id      INTEGER,
    creator_id      INTEGER NOT NULL,
    group_id        INTEGER,                    -- the group a lead created it for, if any
    question        TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    options         TEXT    NOT NULL,           -- JSON list of the option texts
    mode            TEXT    NOT NULL CHECK (mode IN ('single', 'multiple', 'ranked')),
    min_choices     INTEGER NOT NULL,
    max_choices     INTEGER NOT NULL,
    winners         INTEGER NOT NULL,
    secret          INTEGER NOT NULL,
    live_results    INTEGER NOT NULL,
    electorate_kind TEXT    NOT NULL CHECK (electorate_kind IN ('channel', 'role', 'group', 'region')),
    electorate_ref  INTEGER NOT NULL,           -- the channel, role or group id
    electorate_size INTEGER NOT NULL,           -- members, or regions for one vote per region
    quorum_percent  INTEGER,
    closes_at       TEXT,                       -- NULL: closed by hand
    remind_minutes  INTEGER,                    -- remind non-voters this long before closes_at
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      TEXT    NOT NULL,
    closed_at       TEXT
);
CREATE INDEX polls_open ON polls (guild_id, status);

-- Who may vote, fixed at open: a member and the unit they vote for (their own id as text, or
-- a region's key when each region has one vote).
CREATE TABLE poll_electors (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    unit    TEXT    NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;

-- The per-poll key of the voters' hashes; the row is deleted when the poll closes (with
-- secure_delete on, its bytes are overwritten), after which no hash can be linked to a voter.
CREATE TABLE poll_secrets (
    poll_id INTEGER PRIMARY KEY REFERENCES polls (id) ON DELETE CASCADE,
    key     BLOB    NOT NULL
);

-- One ballot per unit, keyed by HMAC(poll secret, unit). No timestamp and no rowid: stored in
-- key order, so neither a column nor the insertion order can be matched against the times of
-- Discord interactions. `voter` names the unit only in public polls.
CREATE TABLE poll_ballots (
    poll_id    INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_hash BLOB    NOT NULL,
    choices    TEXT    NOT NULL,                -- JSON list of option numbers (ranked: in order)
    voter      TEXT,
    PRIMARY KEY (poll_id, voter_hash)
) WITHOUT ROWID;
