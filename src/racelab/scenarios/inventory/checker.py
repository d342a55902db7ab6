"""The inventory checker: did the shop sell more than it had, and does its state account for
every sale it acknowledged?

The state is ``{"stock_per_product": S, "products": {"<id>": {"stock": n, "orders": [ids]}}}``,
where a product left out is untouched (stock S, no orders). Every acknowledged ``buy`` carries the
id of its order. Per product, with ``start`` its stock in the initial state:

- ``oversold``: ``max(0, acknowledged - start, -final stock)``: sales beyond the stock there was,
  or stock below zero. The first needs only the initial state, the second only the final one, so
  an oversell is reported even when the other read failed.
- ``lost``: acknowledged sales the final state does not reflect: the stock did not go down by
  one per acknowledged sale (``acknowledged - (start - final)``), or an acknowledged order id is
  missing from the product's new orders (an id handed to two callers counts once); the larger of
  the two, so a sale missing both ways counts once.
- ``phantom``: sales in the final state nobody was told about: new orders without an
  acknowledgement, or decrements beyond the acknowledged sales (the larger of the two), minus the
  product's indeterminate calls (a timed-out call may have sold). A refused call (a 4xx) wrote
  nothing, so it never excuses one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "oversold": "sales beyond the product's stock (orders acknowledged past it, or stock below zero)",
    "lost": "acknowledged sales missing from the final state (stock not reduced, or order row missing)",
    "phantom": "sales in the final state that no acknowledged or indeterminate call made",
}


def readable(state: dict[str, Any] | None) -> bool:
    return (
        isinstance(state, dict)
        and isinstance(state.get("stock_per_product"), int)
        and isinstance(state.get("products"), dict)
    )


def product_of(state: dict[str, Any], product: str) -> tuple[int | None, list[int]]:
    """(stock, order ids) of one product; a product the state leaves out is untouched."""
    entry = state["products"].get(product)
    if entry is None:
        return int(state["stock_per_product"]), []
    stock = entry.get("stock")
    return (int(stock) if stock is not None else None), [int(o) for o in entry.get("orders", [])]


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    start_state = initial if readable(initial) else None
    end_state = final if readable(final) else None
    acked: dict[str, list[Op]] = defaultdict(list)
    refused: Counter[str] = Counter()
    unsure: Counter[str] = Counter()
    for op in history:
        product = str(op.args.get("product"))
        if op.status == "ok":
            acked[product].append(op)
        elif op.status == "fail":
            refused[product] += 1
        else:
            unsure[product] += 1
    products = set(acked) | set(unsure)
    for state in (start_state, end_state):
        if state is not None:
            products |= set(state["products"])

    totals = {"oversold": 0, "lost": 0, "phantom": 0}
    examples: list[dict[str, Any]] = []
    for product in sorted(products, key=lambda p: (len(p), p)):
        sales = acked[product]
        ids = [int(op.value) for op in sales]
        start, before = product_of(start_state, product) if start_state else (None, [])
        end, after = product_of(end_state, product) if end_state else (None, [])
        found = {"oversold": 0, "lost": 0, "phantom": 0}
        over = []
        if start is not None:
            over.append(len(sales) - start)
        if end is not None:
            over.append(-end)
        found["oversold"] = max([0, *over])
        if start_state is not None and end_state is not None:
            new = set(after) - set(before)
            missing_rows = len(ids) - len(set(ids) & new)
            unacknowledged_rows = len(new - set(ids))
            sold = start - end if start is not None and end is not None else None
            missing_decrements = len(sales) - sold if sold is not None else 0
            extra_decrements = sold - len(sales) if sold is not None else 0
            found["lost"] = max(0, missing_rows, missing_decrements)
            found["phantom"] = max(0, max(unacknowledged_rows, extra_decrements) - unsure[product])
        for name, n in found.items():
            totals[name] += n
        if any(found.values()):
            examples.append(
                {
                    "product": int(product) if product.lstrip("-").isdigit() else product,
                    "stock": start,
                    "acknowledged": len(sales),
                    "refused": refused[product],
                    "indeterminate": unsure[product],
                    "final_stock": end,
                    "final_orders": len(after),
                    **{name: n for name, n in found.items() if n},
                    "served_by": served_by(sales),
                }
            )

    problems = []
    if totals["oversold"]:
        problems.append(f"{totals['oversold']} sale(s) beyond the stock there was")
    if totals["lost"]:
        problems.append(f"{totals['lost']} acknowledged sale(s) missing from the final state")
    if totals["phantom"]:
        problems.append(f"{totals['phantom']} sale(s) in the final state that no call could have made")
    examples.sort(key=lambda e: -sum(e.get(name, 0) for name in ANOMALIES))
    return conclude(
        totals,
        problems,
        tally,
        readable=start_state is not None and end_state is not None,
        ok_reason=f"{tally['acknowledged']} sale(s) within the stock, every one in the final stock and orders",
        evidence=examples[:max_examples],
    )


def served_by(sales: list[Op]) -> list[dict[str, Any]]:
    """Which workers acknowledged a product's sales, and how many each, one entry per thread.

    Entries are interleaved across processes (the first thread of each process, then the second
    of each...), so the first few already show how far the sales spread: an oversell under a
    threading.Lock shows several processes, each holding its own lock."""
    per: Counter[tuple[str, int, str]] = Counter()
    for op in sales:
        who = op.served_by or {}
        per[(str(who.get("replica")), int(who.get("pid") or 0), str(who.get("thread")))] += 1
    rank: Counter[tuple[str, int]] = Counter()
    ordered = []
    for replica, pid, thread in sorted(per):
        ordered.append((rank[(replica, pid)], replica, pid, thread))
        rank[(replica, pid)] += 1
    return [
        {"replica": replica, "pid": pid, "thread": thread, "sales": per[(replica, pid, thread)]}
        for _, replica, pid, thread in sorted(ordered)
    ]
