-- The counter scenario: one row per strategy, so strategies never disturb each other.
CREATE TABLE IF NOT EXISTS counters (
    name    text   PRIMARY KEY,
    value   bigint NOT NULL DEFAULT 0,
    -- bumped by every optimistic write: the compare-and-set's version
    version bigint NOT NULL DEFAULT 0
);
-- The newest fencing token that wrote the row (redis-lock-fenced): a write carrying an older
-- token is refused. Added apart, idempotently, so a database created before it gains it too.
ALTER TABLE counters ADD COLUMN IF NOT EXISTS fence bigint NOT NULL DEFAULT 0;
