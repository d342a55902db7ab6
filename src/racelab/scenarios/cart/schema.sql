-- The cart scenario: db-items's carts, one row per item, one set of rows per strategy (the
-- `strategy` column), so strategies never disturb each other. The session cookie names the cart.
CREATE TABLE IF NOT EXISTS cart_items (
    strategy text NOT NULL,
    cart     text NOT NULL,
    item     text NOT NULL,
    -- one row per item and cart: adding an item twice leaves one, and two adds of different
    -- items never touch the same row
    PRIMARY KEY (strategy, cart, item)
);
