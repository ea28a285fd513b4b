-- Exactly-once sends: a send is written down as an intent BEFORE it is made, and moved to
-- sent_log after. An intent found at start-up means the process died between the two: the send
-- is made again with the same message nonce, which Discord de-duplicates for a few minutes
-- (bot/scheduler.py says what happens after a longer outage).

CREATE TABLE send_intents (
    key        TEXT PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    started_at TEXT NOT NULL
);
