-- The transfer scenario: accounts and a ledger, one set of rows per strategy (the `strategy`
-- column), so strategies never disturb each other.
CREATE TABLE IF NOT EXISTS transfer_accounts (
    strategy text    NOT NULL,
    id       integer NOT NULL,
    -- No CHECK (balance >= 0): the strategies refuse overdrafts themselves, and the checker
    -- counts any that get through instead of the database hiding them behind an error.
    balance  bigint  NOT NULL,
    PRIMARY KEY (strategy, id)
);

-- One row per applied transfer; its id is the value the app acknowledges.
CREATE TABLE IF NOT EXISTS transfer_ledger (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy     text    NOT NULL,
    from_account integer NOT NULL,
    to_account   integer NOT NULL,
    amount       bigint  NOT NULL
);
-- Reads and resets select one strategy's rows, in id order.
CREATE INDEX IF NOT EXISTS transfer_ledger_strategy_id ON transfer_ledger (strategy, id);
