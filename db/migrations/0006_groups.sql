-- Groups: working groups, the expert group, thematic partnerships. Each owns one Discord role
-- and one text channel; the database is the membership's source of truth and the role follows
-- it (a role changed by hand in Discord is read back). Every row carries its guild id.

CREATE TABLE groups (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    name_fi         TEXT,                       -- the Finnish name, when it differs
    kind            TEXT    NOT NULL,           -- a kind from the settings, e.g. working_group
    description     TEXT    NOT NULL DEFAULT '',
    joining         TEXT    NOT NULL CHECK (joining IN ('open', 'application')),
    visibility      TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
    role_id         INTEGER,
    channel_id      INTEGER,
    card_message_id INTEGER,                    -- the group's card with Join / Apply buttons
    archived        INTEGER NOT NULL DEFAULT 0,
    reported_missing TEXT   NOT NULL DEFAULT '', -- 'role', 'channel': told the admin log once
    created_by      INTEGER NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX groups_guild ON groups (guild_id, kind);

-- Every name a group answers to (English and Finnish), normalised, so no two groups share a
-- name in either language: SQLite refuses the duplicate even when two creations race.
CREATE TABLE group_names (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    key      TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE memberships (
    guild_id  INTEGER NOT NULL,
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    lead      INTEGER NOT NULL DEFAULT 0,
    joined_at TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_user ON memberships (guild_id, user_id);

CREATE TABLE applications (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    group_id     INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    motivation   TEXT    NOT NULL,
    organisation TEXT    NOT NULL DEFAULT '',
    region       TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn')),
    decided_by   INTEGER,
    reason       TEXT,
    channel_id   INTEGER,                       -- where the leads' copy with the buttons is
    message_id   INTEGER,
    created_at   TEXT    NOT NULL,
    decided_at   TEXT
);
-- One pending application per member and group; decided ones stay as history.
CREATE UNIQUE INDEX applications_one_pending ON applications (group_id, user_id)
    WHERE status = 'pending';

-- Only what the member typed; /profile clear deletes the row.
CREATE TABLE member_profiles (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    country      TEXT,                          -- ISO 3166-1 alpha-2
    region_code  TEXT,                          -- ISO 3166-2, e.g. FI-10
    region_text  TEXT,                          -- a region the list lacks, as typed
    organisation TEXT,
    stakeholder  TEXT CHECK (stakeholder IS NULL OR stakeholder IN
                 ('public_authority', 'business', 'research_education', 'civil_society')),
    languages    TEXT    NOT NULL DEFAULT '',   -- ISO 639-1 codes, comma separated
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX member_profiles_region ON member_profiles (guild_id, region_code);

-- Regions a partnership's leads add for regions not (yet) represented by a member.
CREATE TABLE group_regions (
    guild_id    INTEGER NOT NULL,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    region_key  TEXT    NOT NULL,               -- the ISO code, or 'text:' + the folded name
    region_code TEXT,
    region_text TEXT,
    added_by    INTEGER NOT NULL,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (group_id, region_key)
);
