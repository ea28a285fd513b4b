-- The waitlist's order is a sequence number taken as max(answered_at) + 1 on every answer;
-- without an index that max read the whole table, so a burst of clicks was quadratic.
CREATE INDEX rsvps_sequence ON rsvps (answered_at);
