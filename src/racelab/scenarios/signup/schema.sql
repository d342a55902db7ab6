-- The signup scenario: user accounts, one set of rows per strategy (the `strategy` column), so
-- strategies never disturb each other.

-- No UNIQUE (strategy, username), on purpose: the strategies check for the name themselves, and
-- the checker counts every duplicate that gets through instead of the database refusing it.
CREATE TABLE IF NOT EXISTS signup_accounts (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy text   NOT NULL,
    username text   NOT NULL
);
-- The check looks a name up; reads and resets select one strategy's rows.
CREATE INDEX IF NOT EXISTS signup_accounts_strategy_username ON signup_accounts (strategy, username);

-- The same, with the constraint: db-unique runs the check-then-insert against it, and the
-- database has the last word on a name two requests both found free.
CREATE TABLE IF NOT EXISTS signup_unique_accounts (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy text   NOT NULL,
    username text   NOT NULL,
    CONSTRAINT signup_unique_accounts_username UNIQUE (strategy, username)
);
