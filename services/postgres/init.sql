-- The lab's schema: one row per counter strategy (the app inserts the rows it needs).
-- Run once when the database is created: by the native runtime, and by the postgres image
-- from /docker-entrypoint-initdb.d.
CREATE TABLE IF NOT EXISTS counters (
    name    text   PRIMARY KEY,
    value   bigint NOT NULL DEFAULT 0,
    -- bumped by every optimistic write: the compare-and-set's version and a fencing token
    version bigint NOT NULL DEFAULT 0
);

