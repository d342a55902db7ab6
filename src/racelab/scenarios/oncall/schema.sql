-- The oncall scenario: one row per doctor of each shift, per strategy, so strategies never
-- disturb each other. The rule "at least one doctor of a shift stays on call" spans rows, so no
-- constraint on one row can state it: the strategies must keep it themselves.
CREATE TABLE IF NOT EXISTS oncall_doctors (
    strategy text    NOT NULL,
    shift    integer NOT NULL,
    doctor   integer NOT NULL,
    on_call  boolean NOT NULL,
    PRIMARY KEY (strategy, shift, doctor)
);

-- One row per doctor who went off call; its id is the value the app acknowledges.
CREATE TABLE IF NOT EXISTS oncall_changes (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy text    NOT NULL,
    shift    integer NOT NULL,
    doctor   integer NOT NULL
);
-- Reads and resets select one strategy's changes.
CREATE INDEX IF NOT EXISTS oncall_changes_strategy ON oncall_changes (strategy, id);
