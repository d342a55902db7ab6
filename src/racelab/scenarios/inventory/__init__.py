"""**If more buyers than items arrive at once, can the shop sell stock it does not have?**

A shop with a catalogue of products, each starting with the same stock. A purchase checks that
the product is still in stock, takes one off and records an order, whose id is what the buyer is
told; when nothing is left it refuses with ``409 sold_out`` and writes nothing. That is
*check-then-act*, and the check is only true at the moment it is read: fifty buyers who all read
"3 left" before any of them has written all go ahead. Even with the decrement done relatively
(``stock = stock - 1``, so no sale is ever lost) and everything in one transaction, the stock goes
below zero and the shop takes more orders than it has items: tickets sold twice for one seat, a
coupon redeemed twice, a bank account overdrawn by two withdrawals that each saw enough.

The workload makes every burst an overrun attempt on a fresh product: all callers of burst ``r``
buy product ``r``, which holds 40% of the burst in stock (``stock = min(20, max(1, 2 * burst //
5))``: 20 for the engine's default 50 callers), so a correct shop sells exactly that and refuses
the rest. The checker counts sales beyond the stock (*oversold*), acknowledged sales the state
does not reflect (*lost*) and sales nobody was told about (*phantom*).

The fixes: a conditional ``UPDATE ... WHERE stock > 0`` that checks and acts in one statement,
``SELECT ... FOR UPDATE``, a lock around the whole purchase (a ``threading.Lock`` holds only
within one process), a Lua script in Redis, or a ``CHECK (stock >= 0)`` constraint that lets the
race happen but refuses its harm (prevent vs protect).
"""

from racelab.core.scenario import Operation, Param, Scenario
from racelab.scenarios.inventory.checker import ANOMALIES, check
from racelab.scenarios.inventory.operations import (
    DEFAULT_PRODUCTS,
    DEFAULT_STOCK,
    MAX_PRODUCTS,
    MAX_STOCK,
    lock_keys,
    parse_buy,
)
from racelab.scenarios.inventory.workload import InventoryWorkload

SCENARIO = Scenario(
    name="inventory",
    title="limited stock: can a burst of buyers oversell it?",
    question="If more buyers than items arrive at once, can the shop sell stock it does not have?",
    operations={
        "buy": Operation(
            "buy",
            'buy one item: {"product": id}; returns the order id (404 unknown_product, 409 sold_out: nothing written)',
            parse=parse_buy,
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=InventoryWorkload(),
    lock_keys=lock_keys,
    params={
        "stock": Param(DEFAULT_STOCK, 0, MAX_STOCK, "items in stock per product at the start"),
        "products": Param(DEFAULT_PRODUCTS, 1, MAX_PRODUCTS, "number of products, numbered from 0"),
    },
    rank=20,
)
