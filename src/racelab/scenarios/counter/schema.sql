-- The counter scenario: one row per strategy, so strategies never disturb each other.
CREATE TABLE IF NOT EXISTS counters (
    name    text   PRIMARY KEY,
    value   bigint NOT NULL DEFAULT 0,
    -- bumped by every optimistic write: the compare-and-set's version and a fencing token
    version bigint NOT NULL DEFAULT 0
);
