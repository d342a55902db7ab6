"""The cart's workload: one shopper adding a different item with every call.

Caller ``i`` of burst ``r`` adds the item ``b<r>-<i>``: every call of a run adds an item no
other call adds, so the checker can tell which acknowledged items the final cart lost. All of a
run's calls belong to one client and one session (the scenario's ``session_start``): a shopper
with several tabs, or a page firing its "add" requests without waiting for each answer.
Without bursts the items are ``s<seq>-<i>``. Pure and stateless: the same (burst, position,
seq) gives the same call on every node.
"""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call


def item(burst: int | None, position: int, seq: int) -> str:
    return f"b{burst}-{position}" if burst is not None else f"s{seq}-{position}"


class CartWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """Nothing to size: every run starts with a new, empty cart."""
        return {}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        return Call("add", {"item": item(burst, position, seq)})
