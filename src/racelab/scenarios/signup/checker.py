"""The signup checker: does every username belong to one account, and was one person told so?

The state is ``{"accounts": [[id, username], ...]}``. The accounts of the run are those of the
final state that the initial state did not have. A correct sign-up satisfies, whatever the
interleaving:

- each username has one account: rows beyond the first per name are ``duplicate_rows`` (names
  that already had several rows before the run are not the run's doing);
- each username was acknowledged as created with one account id: a name for which two callers
  were told "your account is created" with different ids counts once in ``duplicate_acks``,
  even if one of the rows was later missing;
- every acknowledged account is in the final state, under the name it asked for (``lost``; an id
  acknowledged twice is one row for two callers, so the second counts as lost);
- every new row was acknowledged, or asked for by a call whose outcome is unknown (a 5xx or a
  timeout may have committed): the rest are ``phantom``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from racelab.core.accounting import acknowledged_ids, as_id, unaccounted, unexplained
from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "duplicate_rows": "accounts beyond the first for one username in the final state",
    "duplicate_acks": "usernames acknowledged as created with more than one account id",
    "lost": "acknowledged accounts missing from the final state (or stored under another name)",
    "phantom": "accounts no acknowledged or indeterminate call can explain",
}
PROBLEMS = {
    "duplicate_rows": "{n} duplicate account(s) for a taken username",
    "duplicate_acks": "{n} username(s) acknowledged as created to more than one caller",
    "lost": "{n} acknowledged account(s) missing from the final state",
    "phantom": "{n} account(s) no call can account for",
}
SHOWN_IDS = 6  # account ids listed per evidence example


def accounts(state: dict[str, Any] | None) -> dict[int, str] | None:
    """The state as id -> username; None when it is missing or not of the documented shape."""
    if state is None:
        return None
    try:
        return {int(account): str(username) for account, username in state["accounts"]}
    except (KeyError, TypeError, ValueError):
        return None


def asked(op: Op) -> str | None:
    name = op.args.get("username")
    return name if isinstance(name, str) else None


def example(anomaly: str, username: str, ids: list[int], by_id: dict[int, Op]) -> dict[str, Any]:
    """Who holds a name: its account ids, and who served each (unacknowledged rows say so)."""
    shown = sorted(ids)[:SHOWN_IDS]
    served = [(by_id[i].served_by or {}) if i in by_id else {"acknowledged": False} for i in shown]
    return {"anomaly": anomaly, "username": username, "ids": shown, "of": len(ids), "served_by": served}


def duplicates(
    history: list[Op], before: dict[int, str], after: dict[int, str], by_id: dict[int, Op]
) -> tuple[int, int, list[dict[str, Any]]]:
    """Duplicate rows per username in the final state, and usernames acknowledged with several ids."""
    earlier = Counter(before.values())
    rows: dict[str, list[int]] = defaultdict(list)
    for account, username in after.items():
        rows[username].append(account)
    acked: dict[str, set[int]] = defaultdict(set)
    for op in history:
        if op.status == "ok" and (name := asked(op)) is not None and (acked_id := as_id(op.value)) is not None:
            acked[name].add(acked_id)
    extra_rows, twice_acked, examples = 0, 0, []
    for username in sorted(set(rows) | set(acked)):
        extra = max(0, len(rows.get(username, [])) - max(1, earlier[username]))
        told = len(acked.get(username, ())) > 1
        extra_rows += extra
        twice_acked += told
        if extra or told:
            ids = sorted(set(rows.get(username, [])) | acked.get(username, set()))
            examples.append(example("duplicate_rows" if extra else "duplicate_acks", username, ids, by_id))
    return extra_rows, twice_acked, examples


def unaccounted_rows(history: list[Op], run: dict[int, str]) -> tuple[int, list[dict[str, Any]]]:
    """Acknowledged accounts missing from the run's rows, or stored under another name."""
    missing = unaccounted(history, run, asked)
    found = [
        {
            "anomaly": "lost",
            "account": op.value,
            "asked": asked(op),
            "stored": stored,
            "served_by": [op.served_by or {}],
        }
        for op, stored in missing
    ]
    return len(missing), found


def phantoms(history: list[Op], run: dict[int, str]) -> tuple[int, list[dict[str, Any]]]:
    """New rows nobody acknowledged, beyond what the indeterminate calls for the same name explain."""
    names = unexplained(run, history, asked)
    found = [{"anomaly": "phantom", "username": name, "unexplained": n} for name, n in sorted(names.items())]
    return sum(names.values()), found


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    by_id = acknowledged_ids(history)
    before, after = accounts(initial), accounts(final)
    anomalies = dict.fromkeys(ANOMALIES, 0)
    evidence: list[dict[str, Any]] = []
    if after is not None:
        earlier = before or {}
        run = {account: name for account, name in after.items() if account not in earlier}
        anomalies["duplicate_rows"], anomalies["duplicate_acks"], found = duplicates(history, earlier, after, by_id)
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
        ok_reason=f"{tally['acknowledged']} accounts created, one per username, each in the final state",
        evidence=evidence[:max_examples],
    )
