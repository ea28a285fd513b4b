-- Starts that mean exactly one instant, and occurrence keys that cannot drift from them.
--
-- Times are kept to the whole minute (issue 13). Before, a start pasted with seconds was stored
-- cut to its minute while the occurrence keys made from it kept the seconds, so answers, changes
-- and pending reminders filed under such a key named no occurrence. Cut them to the minute too.
-- An occurrence key is the Unix time of the original start: its minute is key - key % 60.

UPDATE events SET start_local = substr(start_local, 1, 16) WHERE length(start_local) > 16;

-- Where an answer or change exists under both keys, the one under the minute key is kept: it is
-- the one members saw after the announcement was redrawn.
UPDATE OR IGNORE event_overrides
   SET occurrence = CAST(CAST(occurrence AS INTEGER) / 60 * 60 AS TEXT)
 WHERE CAST(occurrence AS INTEGER) % 60 != 0;
DELETE FROM event_overrides WHERE CAST(occurrence AS INTEGER) % 60 != 0;
UPDATE event_overrides SET start_utc = substr(start_utc, 1, 16) || ':00.000000Z'
 WHERE start_utc IS NOT NULL AND substr(start_utc, 17) != ':00.000000Z';

UPDATE OR IGNORE rsvps
   SET occurrence = CAST(CAST(occurrence AS INTEGER) / 60 * 60 AS TEXT)
 WHERE CAST(occurrence AS INTEGER) % 60 != 0;
DELETE FROM rsvps WHERE CAST(occurrence AS INTEGER) % 60 != 0;

-- Pending reminders and "starting now" notices: the key in their payload and dedupe key, and
-- their due time, which was the start (less an offset) with the same seconds.
UPDATE OR IGNORE scheduled_actions
   SET dedupe_key = replace(
           dedupe_key,
           ':' || json_extract(payload, '$.occurrence') || ':',
           ':' || (CAST(json_extract(payload, '$.occurrence') AS INTEGER) / 60 * 60) || ':'
       ),
       payload = json_set(
           payload,
           '$.occurrence',
           CAST(CAST(json_extract(payload, '$.occurrence') AS INTEGER) / 60 * 60 AS TEXT)
       ),
       due_at = substr(due_at, 1, 16) || ':00.000000Z'
 WHERE status = 'pending' AND kind IN ('event.remind', 'event.start')
   AND CAST(json_extract(payload, '$.occurrence') AS INTEGER) % 60 != 0;
UPDATE scheduled_actions
   SET status = 'cancelled', note = 'same action under the minute key',
       finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE status = 'pending' AND kind IN ('event.remind', 'event.start')
   AND CAST(json_extract(payload, '$.occurrence') AS INTEGER) % 60 != 0;

-- A start typed as an exact instant (a timestamp, an offset) can fall in the second pass of the
-- hour the clocks turn back; its wall-clock text alone would be read as the first pass, an hour
-- early. start_fold = 1 marks the second pass (Python's datetime.fold).
ALTER TABLE events ADD COLUMN start_fold INTEGER NOT NULL DEFAULT 0 CHECK (start_fold IN (0, 1));
