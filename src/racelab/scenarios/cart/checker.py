"""The cart checker: is every item the shopper was told was added in the cart they ended up with?

The state is ``{"items": [item, ...]}``: the cart of the session the client holds (read with the
cookies it kept: for a cookie session, the cart inside the last cookie it received). Like
Jepsen's set checker:

- every acknowledged item is in the final cart (``lost`` otherwise);
- every item in the final cart was there before the run, or was added by an acknowledged call or
  by one whose outcome is unknown (a 5xx may have written it); the rest, items nobody sent or
  sent only by a refused call, are ``phantom``.

An item sent twice (two callers of a distributed run can send the same call) is one item.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "lost": "items acknowledged as added but missing from the final cart (the session the client ended up with)",
    "phantom": "items in the final cart that no acknowledged or indeterminate call added",
}
SHOWN_ITEMS = 4  # items listed per evidence example


def items(state: dict[str, Any] | None) -> set[str] | None:
    """The state's items; None when it is missing or not of the documented shape."""
    if state is None or not isinstance(state.get("items"), list):
        return None
    return {str(item) for item in state["items"]}


def item_of(op: Op) -> str | None:
    item = op.args.get("item")
    return item if isinstance(item, str) else None


def lost_examples(acked: dict[str, list[Op]], lost: list[str], after: set[str]) -> list[dict[str, Any]]:
    """One example per burst that lost items: which, how many, and which of its items survived."""
    by_burst: dict[int | None, list[str]] = defaultdict(list)
    for item in lost:
        by_burst[acked[item][0].burst].append(item)
    examples = []
    for burst, missing in sorted(by_burst.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        kept = sorted(item for item, ops in acked.items() if ops[0].burst == burst and item in after)
        examples.append(
            {
                "anomaly": "lost",
                "burst": burst,
                "items": missing[:SHOWN_ITEMS],
                "of": len(missing),
                "kept": kept[:SHOWN_ITEMS],
                "served_by": [op.served_by or {} for item in missing[:2] for op in acked[item][:1]],
            }
        )
    return examples


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    before, after = items(initial), items(final)
    acked: dict[str, list[Op]] = defaultdict(list)
    maybe: set[str] = set()
    for op in history:
        item = item_of(op)
        if item is None:
            continue
        if op.status == "ok":
            acked[item].append(op)
        elif op.status == "info":
            maybe.add(item)
    anomalies = dict.fromkeys(ANOMALIES, 0)
    evidence: list[dict[str, Any]] = []
    if after is not None:
        lost = sorted(item for item in acked if item not in after)
        phantom = sorted(after - (before or set()) - set(acked) - maybe)
        anomalies["lost"], anomalies["phantom"] = len(lost), len(phantom)
        evidence += lost_examples(acked, lost, after)
        if phantom:
            evidence.append({"anomaly": "phantom", "items": phantom[:SHOWN_ITEMS], "of": len(phantom)})
    problems = []
    if anomalies["lost"]:
        problems.append(f"{anomalies['lost']} acknowledged item(s) missing from the final cart")
    if anomalies["phantom"]:
        problems.append(f"{anomalies['phantom']} item(s) in the cart that no call can account for")
    return conclude(
        anomalies,
        problems,
        tally,
        readable=before is not None and after is not None,
        ok_reason=f"every one of the {len(acked)} acknowledged items is in the final cart, and nothing else",
        evidence=evidence[:max_examples],
    )
