"""The payment checker: was any logical payment charged twice, and were its copies told one answer?

The state is ``{"payments": [[id, key, amount], ...]}``: every charge made, with the
``Idempotency-Key`` its request carried (null when none was sent). The charges of the run are
those of the final state that the initial state did not have. A correct payment API satisfies,
whatever the interleaving and however many copies of a request were sent:

- one charge per key: charges beyond the first per key are ``duplicate_charges`` (keys that
  already had several before the run are not the run's doing; charges without a key cannot be
  grouped and never count here);
- every copy is told the same payment id: keys for which different ids were acknowledged are
  ``conflicting_answers`` (a replayed id is the same id, so a correct replay never counts);
- every acknowledged payment id is in the final state with the amount asked (``lost``);
- every new charge was acknowledged, or asked for by a call whose outcome is unknown (a 5xx or
  timeout may have committed): the rest, matched by amount, are ``phantom``.

The history records a call's JSON arguments, not its headers, so the key of an acknowledged call
is read from the charge its id names in the final state (an id missing from it is ``lost``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from racelab.core.accounting import as_id, unaccounted, unexplained
from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "duplicate_charges": "charges beyond the first for one idempotency key (the customer charged again)",
    "conflicting_answers": "keys for which callers were told different payment ids",
    "lost": "acknowledged payments missing from the final state (or recorded with another amount)",
    "phantom": "charges no acknowledged or indeterminate call can explain",
}
PROBLEMS = {
    "duplicate_charges": "{n} duplicate charge(s) for a key already charged",
    "conflicting_answers": "{n} key(s) answered with different payment ids",
    "lost": "{n} acknowledged payment(s) missing from the final state",
    "phantom": "{n} charge(s) no call can account for",
}
SHOWN_IDS = 6  # payment ids listed per evidence example

Charge = tuple[str | None, int]  # key, amount


def charges(state: dict[str, Any] | None) -> dict[int, Charge] | None:
    """The state as id -> (key, amount); None when it is missing or not of the documented shape."""
    if state is None:
        return None
    try:
        return {
            int(payment): (None if key is None else str(key), int(amount)) for payment, key, amount in state["payments"]
        }
    except (KeyError, TypeError, ValueError):
        return None


def amount_of(op: Op) -> int | None:
    amount = op.args.get("amount")
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else None


def example(anomaly: str, key: str, ids: set[int], served: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """A key's payment ids, and who served each (several callers when an id was replayed)."""
    shown = sorted(ids)[:SHOWN_IDS]
    return {
        "anomaly": anomaly,
        "key": key,
        "ids": shown,
        "of": len(ids),
        "served_by": [who for i in shown for who in served.get(i, [{"acknowledged": False}])],
    }


def per_key(
    history: list[Op], before: dict[int, Charge], after: dict[int, Charge]
) -> tuple[int, int, list[dict[str, Any]]]:
    """Charges beyond the first per key, and keys whose copies were told different ids."""
    earlier = Counter(key for key, _ in before.values() if key is not None)
    rows: dict[str, set[int]] = defaultdict(set)
    for charged, (key, _) in after.items():
        if key is not None:
            rows[key].add(charged)
    told: dict[str, set[int]] = defaultdict(set)
    served: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for op in history:
        payment = as_id(op.value) if op.status == "ok" else None
        if payment is None:
            continue
        served[payment].append(op.served_by or {})
        key = after.get(payment, (None, 0))[0]
        if key is not None:
            told[key].add(payment)
    duplicates, conflicting, examples = 0, 0, []
    for key in sorted(set(rows) | set(told)):
        extra = max(0, len(rows.get(key, ())) - max(1, earlier[key]))
        conflict = len(told.get(key, ())) > 1
        duplicates += extra
        conflicting += conflict
        if extra or conflict:
            ids = rows.get(key, set()) | told.get(key, set())
            examples.append(example("duplicate_charges" if extra else "conflicting_answers", key, ids, served))
    return duplicates, conflicting, examples


def unaccounted_charges(history: list[Op], after: dict[int, Charge]) -> tuple[int, list[dict[str, Any]]]:
    """Acknowledged payments missing from the final state, or recorded with another amount.
    (A replay may name a charge made before the run, so the whole final state counts; and every
    copy of a payment is told the same id, so an id may be told more than once.)"""
    amounts = {payment: amount for payment, (_, amount) in after.items()}
    missing = unaccounted(history, amounts, amount_of, once=False)
    found = []
    for op, _ in missing:
        payment = as_id(op.value)
        charge = after.get(payment) if payment is not None else None
        recorded = None if charge is None else list(charge)
        found.append(
            {
                "anomaly": "lost",
                "payment": op.value,
                "asked": op.args,
                "recorded": recorded,
                "served_by": [op.served_by or {}],
            }
        )
    return len(missing), found


def phantoms(history: list[Op], run: dict[int, Charge]) -> tuple[int, list[dict[str, Any]]]:
    """New charges nobody acknowledged, beyond what the indeterminate calls for the same amount explain."""
    amounts = unexplained({payment: amount for payment, (_, amount) in run.items()}, history, amount_of)
    found = [{"anomaly": "phantom", "amount": amount, "unexplained": n} for amount, n in sorted(amounts.items())]
    return sum(amounts.values()), found


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    before, after = charges(initial), charges(final)
    anomalies = dict.fromkeys(ANOMALIES, 0)
    evidence: list[dict[str, Any]] = []
    if after is not None:
        earlier = before or {}
        run = {payment: charge for payment, charge in after.items() if payment not in earlier}
        anomalies["duplicate_charges"], anomalies["conflicting_answers"], found = per_key(history, earlier, after)
        evidence += found
        anomalies["lost"], found = unaccounted_charges(history, after)
        evidence += found
        anomalies["phantom"], found = phantoms(history, run)
        evidence += found
    problems = [PROBLEMS[name].format(n=n) for name, n in anomalies.items() if n]
    return conclude(
        anomalies,
        problems,
        tally,
        readable=before is not None and after is not None,
        ok_reason=f"{tally['acknowledged']} answers, one charge per key, every copy told the same payment id",
        evidence=evidence[:max_examples],
    )
