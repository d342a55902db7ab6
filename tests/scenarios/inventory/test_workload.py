"""The inventory workload: every burst an overrun attempt on a product of its own."""

from __future__ import annotations

from racelab import scenarios
from racelab.core.history import Call
from racelab.scenarios.inventory.workload import InventoryWorkload

WORKLOAD = InventoryWorkload()


def test_stock_is_forty_percent_of_the_burst_capped_at_twenty() -> None:
    assert [WORKLOAD.params(n)["stock"] for n in (1, 2, 3, 10, 48, 50, 200)] == [1, 1, 1, 4, 19, 20, 20]
    for n in range(1, 300):
        stock = WORKLOAD.params(n)["stock"]
        assert stock < n or n == 1  # more buyers than items, whenever there are two buyers
    assert scenarios.scenario("inventory").parse_params(WORKLOAD.params(48)) == {"stock": 19, "products": 100}


def test_every_caller_of_a_burst_buys_that_bursts_product() -> None:
    assert all(WORKLOAD.call(2, i, 2) == Call("buy", {"product": 2}) for i in range(48))
    assert WORKLOAD.call(103, 0, 103) == Call("buy", {"product": 3})


def test_without_bursts_callers_move_on_together_every_twice_the_stock() -> None:
    assert [WORKLOAD.call(None, 0, seq).args["product"] for seq in (0, 39, 40, 79, 80)] == [0, 0, 1, 1, 2]
    assert WORKLOAD.call(None, 7, 5) == WORKLOAD.call(None, 0, 5)
    assert WORKLOAD.call(None, 0, 4000).args["product"] == 0  # back to the first product after 100


def test_lock_keys_are_per_product() -> None:
    keys = scenarios.scenario("inventory").lock_keys
    assert keys("buy", {"product": 3}) == ["product-3"]
    assert keys("buy", {"product": 3}) != keys("buy", {"product": 4})
