"""The transfer checker: was money created or destroyed, and does every balance match the ledger?

The state is ``{"balances": {"<id>": balance, ...}, "ledger": [[id, from, to, amount], ...]}``,
read in one snapshot. The ledger rows of the run are those of the final state that the initial
state did not have. A correct bank satisfies, whatever the interleaving:

- the total is conserved (every transfer moves money, none makes or burns it);
- no balance is below zero (a transfer is refused rather than overdraw);
- every acknowledged transfer is in the ledger exactly as asked, and every ledger row was either
  acknowledged or asked by a call whose outcome is unknown (a 5xx or timeout may have committed);
- per account, final = initial + credits - debits of the run's ledger rows. Each transfer writes
  its ledger row and both balances in one transaction, so an indeterminate call that did commit
  is in the ledger too and needs no slack here: a mismatch is a lost update.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from racelab.core.accounting import acknowledged_ids, unaccounted, unexplained
from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "imbalance": "money created or destroyed: |total after - total before|",
    "overdrawn": "accounts whose final balance is below zero",
    "lost": "acknowledged transfers missing from the ledger (or recorded other than asked)",
    "phantom": "ledger rows no acknowledged or indeterminate call asked for",
    "mismatched": "accounts whose balance differs from initial + credits - debits of the ledger (lost updates)",
}
PROBLEMS = {
    "imbalance": "{n} of money created or destroyed (the total changed)",
    "overdrawn": "{n} account(s) below zero",
    "lost": "{n} acknowledged transfer(s) missing from the ledger",
    "phantom": "{n} ledger row(s) no call can account for",
    "mismatched": "{n} account(s) disagree with their ledger (lost updates)",
}
SHOWN_TRANSFERS = 4  # transfers listed per evidence example

Row = tuple[int, int, int]  # from, to, amount


@dataclass
class Snapshot:
    balances: dict[int, int]
    ledger: dict[int, Row]  # transfer id -> row


def snapshot(state: dict[str, Any] | None) -> Snapshot | None:
    """The state as numbers; None when it is missing or not of the documented shape."""
    if state is None:
        return None
    try:
        balances = {int(k): int(v) for k, v in state["balances"].items()}
        ledger = {int(t): (int(f), int(to), int(a)) for t, f, to, a in state["ledger"]}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Snapshot(balances, ledger)


def asked(op: Op) -> Row | None:
    """What a call asked for, as a ledger row would record it."""
    try:
        return int(op.args["from"]), int(op.args["to"]), int(op.args["amount"])
    except (KeyError, TypeError, ValueError):
        return None


def served_by(by_id: dict[int, Op], tids: list[int]) -> list[dict[str, Any]]:
    return [(by_id[tid].served_by or {}) if tid in by_id else {"acknowledged": False} for tid in tids]


def unaccounted_rows(history: list[Op], run: dict[int, Row]) -> tuple[int, list[dict[str, Any]]]:
    """Acknowledged transfers missing from the ledger (or recorded other than asked; an id told to
    two calls is one row for two transfers)."""
    missing = unaccounted(history, run, asked)
    found = [
        {
            "anomaly": "lost",
            "transfer": op.value,
            "asked": op.args,
            "recorded": recorded,
            "served_by": [op.served_by or {}],
        }
        for op, recorded in missing
    ]
    return len(missing), found


def phantoms(history: list[Op], run: dict[int, Row]) -> tuple[int, list[dict[str, Any]]]:
    """Ledger rows nobody acknowledged, beyond what the indeterminate calls asking the same could explain."""
    rows = unexplained(run, history, asked)
    return sum(rows.values()), [{"anomaly": "phantom", "row": list(row), "unexplained": n} for row, n in rows.items()]


def mismatches(
    before: Snapshot, after: Snapshot, run: dict[int, Row], by_id: dict[int, Op]
) -> tuple[int, list[dict[str, Any]]]:
    """Accounts whose final balance is not initial + credits - debits of the run's ledger rows."""
    net = Counter(before.balances)
    for source, target, amount in run.values():
        net[source] -= amount
        net[target] += amount
    found, examples = 0, []
    for account in sorted(set(before.balances) | set(after.balances)):
        expected, actual = net.get(account, 0), after.balances.get(account)
        if actual == expected:
            continue
        found += 1
        involved = [tid for tid, row in run.items() if account in row[:2]]
        shown = involved[:SHOWN_TRANSFERS]
        examples.append(
            {
                "anomaly": "mismatched",
                "account": account,
                "expected": expected,
                "actual": actual,
                "transfers": [[tid, *run[tid]] for tid in shown],
                "of": len(involved),
                "served_by": served_by(by_id, shown),
            }
        )
    return found, examples


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    by_id = acknowledged_ids(history)
    before, after = snapshot(initial), snapshot(final)
    anomalies = dict.fromkeys(ANOMALIES, 0)
    evidence: list[dict[str, Any]] = []
    if after is not None:
        earlier = before.ledger if before is not None else {}
        run = {tid: row for tid, row in after.ledger.items() if tid not in earlier}
        overdrawn = {account: balance for account, balance in after.balances.items() if balance < 0}
        anomalies["overdrawn"] = len(overdrawn)
        evidence += [{"anomaly": "overdrawn", "account": a, "balance": b} for a, b in overdrawn.items()]
        if before is not None:
            anomalies["imbalance"] = abs(sum(after.balances.values()) - sum(before.balances.values()))
            anomalies["mismatched"], found = mismatches(before, after, run, by_id)
            evidence += found
        anomalies["lost"], found = unaccounted_rows(history, run)
        evidence += found
        anomalies["phantom"], found = phantoms(history, run)
        evidence += found
    problems = [PROBLEMS[name].format(n=n) for name, n in anomalies.items() if n]
    return conclude(
        anomalies,
        problems,
        tally,
        readable=before is not None and after is not None,
        ok_reason=f"{tally['acknowledged']} transfers, each in the ledger once; every balance matches the ledger "
        "and the total is unchanged",
        evidence=evidence[:max_examples],
    )
