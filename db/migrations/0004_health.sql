-- The health check's own row: /healthz proves the database takes writes by writing here,
-- never into a feature's table.

CREATE TABLE health_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT    NOT NULL
);
