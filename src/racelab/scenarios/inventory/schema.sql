-- The inventory scenario: a catalogue of products with stock, and the orders that bought them,
-- one set of rows per strategy (the `strategy` column), so strategies never disturb each other.

-- What the last reset asked for: the stock every product started with, and how many products.
CREATE TABLE IF NOT EXISTS inventory_catalogue (
    strategy          text    PRIMARY KEY,
    products          integer NOT NULL,
    stock_per_product integer NOT NULL
);

CREATE TABLE IF NOT EXISTS inventory_stock (
    strategy text    NOT NULL,
    product  integer NOT NULL,
    -- No CHECK (stock >= 0): the strategies refuse sold-out products themselves, and the checker
    -- counts any oversell that gets through instead of the database hiding it behind an error.
    stock    integer NOT NULL,
    PRIMARY KEY (strategy, product)
);

-- The same, with the constraint: db-check-constraint runs the unsafe check-then-act against it,
-- and the database refuses the decrement that would take the stock below zero.
CREATE TABLE IF NOT EXISTS inventory_stock_checked (
    strategy text    NOT NULL,
    product  integer NOT NULL,
    stock    integer NOT NULL CONSTRAINT inventory_stock_checked_nonnegative CHECK (stock >= 0),
    PRIMARY KEY (strategy, product)
);

-- One row per sale; its id is the value the app acknowledges.
CREATE TABLE IF NOT EXISTS inventory_orders (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy text    NOT NULL,
    product  integer NOT NULL
);
-- Reads and resets select one strategy's orders, in id order.
CREATE INDEX IF NOT EXISTS inventory_orders_strategy_id ON inventory_orders (strategy, id);
