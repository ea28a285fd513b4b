-- An /event edit that lowers the capacity below those going waits here for the organiser's
-- answer (keep everyone, or move the latest to the waitlist). The question's buttons carry only
-- this row's id, so a press after a restart finds the edit; `sequence` is the event's when
-- asked, so a press after the event changed again is refused. Rows older than the question's
-- window are dropped whenever a new one is stored.
CREATE TABLE pending_edits (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    edit TEXT NOT NULL,  -- JSON: the event's new column values, the date shown, notes
    asked_at TEXT NOT NULL
);
