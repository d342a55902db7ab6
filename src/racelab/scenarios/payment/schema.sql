-- The payment scenario: charges and idempotency keys, one set of rows per strategy (the
-- `strategy` column), so strategies never disturb each other.

-- One row per charge made: a card charged once more for each row. Its id is the value the app
-- acknowledges. The request's Idempotency-Key (NULL when none was sent) is recorded by every
-- strategy, even the one that ignores it, so the checker can group charges by logical payment;
-- it is not unique, on purpose: key-check-then-insert relies on a lookup, and the checker counts
-- every duplicate charge that gets through.
CREATE TABLE IF NOT EXISTS payment_charges (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy        text    NOT NULL,
    idempotency_key text,
    amount          integer NOT NULL
);
-- The lookup by key; reads and resets select one strategy's rows.
CREATE INDEX IF NOT EXISTS payment_charges_strategy_key ON payment_charges (strategy, idempotency_key);

-- key-unique's keys: the primary key is what makes claiming a key race-free. The first request
-- claims it, charges, and stores its answer (the payment id) here in the same transaction; the
-- copies replay that answer.
CREATE TABLE IF NOT EXISTS payment_keys (
    strategy        text    NOT NULL,
    idempotency_key text    NOT NULL,
    -- what the first request asked: the same key with another amount is refused, not replayed
    amount          integer NOT NULL,
    payment_id      bigint,
    PRIMARY KEY (strategy, idempotency_key)
);
