"""The counter checker: did every caller get a unique number, and did every increment count?

Following Jepsen's counter checker, a correct counter satisfies ``acknowledged <= final -
initial <= acknowledged + indeterminate``, and no value is handed out twice. The state is
``{"value": int}``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "duplicates": "acknowledged values handed out more than once (beyond the first holder)",
    "lost": "acknowledged increments missing from the final value (lost updates)",
    "excess": "increments in the final value that no call could have made",
}


def value_of(state: dict[str, Any] | None) -> int | None:
    return None if state is None else int(state["value"])


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    acked = [op for op in history if op.status == "ok"]
    holders: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for op in acked:
        holders[int(op.value)].append(op.served_by or {})
    seen = Counter(int(op.value) for op in acked)
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    collisions = [
        {"value": value, "served_by": holders[value]}
        for value in sorted(v for v, n in seen.items() if n > 1)[:max_examples]
    ]
    start, end = value_of(initial), value_of(final)
    lost = excess = 0
    if start is not None and end is not None:
        delta = end - start
        lost = max(0, len(acked) - delta)
        excess = max(0, delta - (len(acked) + tally["indeterminate"]))
    problems = []
    if duplicates:
        problems.append(f"{duplicates} duplicate value(s) handed out")
    if lost:
        problems.append(f"{lost} acknowledged increment(s) missing from the final value")
    if excess:
        problems.append(
            f"final value exceeds what {len(acked) + tally['indeterminate']} possible increments could make"
        )
    return conclude(
        {"duplicates": duplicates, "lost": lost, "excess": excess},
        problems,
        tally,
        readable=start is not None and end is not None,
        ok_reason=f"{len(acked)} unique values, the final value accounts for every increment",
        evidence=collisions,
    )
