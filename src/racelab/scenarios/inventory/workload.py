"""The inventory workload: every caller of a burst buys the same product, and there are more of
them than it has in stock.

Burst ``r`` buys product ``r % DEFAULT_PRODUCTS``: each burst races on a fresh product, so three
bursts are three separate overrun attempts, none disturbed by the one before. :meth:`params`
gives each product 40% of the burst in stock (20 for the engine's default 50 callers, fewer for
smaller bursts, at least one), so every burst is an overrun attempt: the first 40% may buy, the
other 60% must be told ``sold_out``, and a strategy that lets the check race sells what it does
not have.

Without bursts (a load generator's steady stream), ``seq`` counts one caller's calls, and every
caller works through the products together: calls 0 to 2S-1 buy product 0, the next 2S product 1,
and so on (S the default stock), so concurrent callers still contend for one product at a time
and each product is asked for twice its stock.

Pure and stateless: the same (burst, position, seq) gives the same call on every node.
"""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call
from racelab.scenarios.inventory.operations import DEFAULT_PRODUCTS, DEFAULT_STOCK

STOCK_SHARE = (2, 5)  # stock = 40% of the burst: 60% of every burst's callers must be refused


def stock_for(burst_size: int) -> int:
    return min(DEFAULT_STOCK, max(1, burst_size * STOCK_SHARE[0] // STOCK_SHARE[1]))


class InventoryWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """Less stock than buyers: ``min(20, max(1, 40% of the burst))`` per product."""
        return {"stock": stock_for(burst_size)}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        # A burst races on a product of its own; a steady stream moves on every 2S calls.
        key = burst if burst is not None else seq // (2 * DEFAULT_STOCK)
        return Call("buy", {"product": key % DEFAULT_PRODUCTS})
