-- A cancelled announcement keeps showing the date it was cancelled for, with its final answer
-- counts: the occurrence the announcement showed when the whole event was cancelled.

ALTER TABLE events ADD COLUMN cancelled_occurrence TEXT;
