"""The oncall checker: does every shift keep a doctor on call, and does the final state account for
every doctor the app let go?

The state is ``{"doctors": D, "shifts": {"<shift>": {"off_call": [doctors], "changes": [[id,
doctor], ...]}}}``: D doctors per shift, and the shifts where anyone went off call, with the
doctors now off call and the changes recorded (one per doctor let go; its id is what the request
was acknowledged with). A shift left out is untouched: everyone on call, no changes.

- ``uncovered``: shifts with nobody on call at the end that had someone at the start: the rule
  "at least one doctor stays on call" broken (write skew).
- ``lost``: acknowledged requests the final state does not reflect: the doctor is still on call,
  or the acknowledged change is missing (or recorded for another doctor); a change id told to
  two callers is one change for two.
- ``phantom``: doctors off call, or changes recorded, that no acknowledged or indeterminate
  request explains (a refused request wrote nothing, so it never explains one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from racelab.core.accounting import unaccounted, unexplained
from racelab.core.history import Op, counts
from racelab.core.verdict import Check, conclude

ANOMALIES = {
    "uncovered": "shifts left with nobody on call (the rule broken: write skew)",
    "lost": "acknowledged off-call requests the final state does not reflect (doctor still on call, change missing)",
    "phantom": "doctors off call or changes recorded that no acknowledged or indeterminate request explains",
}
PROBLEMS = {
    "uncovered": "{n} shift(s) left with nobody on call",
    "lost": "{n} acknowledged off-call request(s) missing from the final state",
    "phantom": "{n} off-call change(s) no request can account for",
}

Doctor = tuple[int, int]  # (shift, doctor)


@dataclass
class Roster:
    """A state, parsed: doctors per shift, who is off call, and the changes by id."""

    doctors: int
    off: set[Doctor]
    changes: dict[int, Doctor]

    def uncovered(self, shift: int) -> bool:
        return sum(1 for s, _ in self.off if s == shift) >= self.doctors


def roster(state: dict[str, Any] | None) -> Roster | None:
    """None when the state is missing or not of the documented shape."""
    if state is None:
        return None
    try:
        off: set[Doctor] = set()
        changes: dict[int, Doctor] = {}
        for shift, entry in state["shifts"].items():
            off |= {(int(shift), int(d)) for d in entry["off_call"]}
            changes |= {int(change): (int(shift), int(d)) for change, d in entry["changes"]}
        return Roster(int(state["doctors"]), off, changes)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def asked(op: Op) -> Doctor | None:
    shift, doctor = op.args.get("shift"), op.args.get("doctor")
    return (shift, doctor) if isinstance(shift, int) and isinstance(doctor, int) else None


def served(history: list[Op], shift: int) -> list[dict[str, Any]]:
    """Who let the shift's doctors go: one entry per acknowledged request."""
    return [
        {**(op.served_by or {}), "doctor": op.args.get("doctor")}
        for op in history
        if op.status == "ok" and (who := asked(op)) is not None and who[0] == shift
    ]


def uncovered(history: list[Op], before: Roster | None, after: Roster) -> tuple[int, list[dict[str, Any]]]:
    shifts = sorted({s for s, _ in after.off} | {who[0] for op in history if (who := asked(op)) is not None})
    found = []
    for shift in shifts:
        if after.uncovered(shift) and not (before is not None and before.uncovered(shift)):
            tally = Counter(op.status for op in history if (asked(op) or (None,))[0] == shift)
            found.append(
                {
                    "anomaly": "uncovered",
                    "shift": shift,
                    "doctors": after.doctors,
                    "let_go": tally["ok"],
                    "refused": tally["fail"],
                    "indeterminate": tally["info"],
                    "served_by": served(history, shift),
                }
            )
    return len(found), found


def lost(history: list[Op], after: Roster, run: dict[int, Doctor]) -> tuple[int, list[dict[str, Any]]]:
    """Acknowledged requests whose change is missing or whose doctor is still on call."""
    missing = {id(op): (op, stored) for op, stored in unaccounted(history, run, asked)}
    for op in history:
        if op.status == "ok" and (who := asked(op)) is not None and who not in after.off:
            missing.setdefault(id(op), (op, run.get(op.value) if isinstance(op.value, int) else None))
    found = [
        {
            "anomaly": "lost",
            "change": op.value,
            "asked": list(asked(op) or ()),
            "stored": list(stored) if stored else None,
            "served_by": [op.served_by or {}],
        }
        for op, stored in missing.values()
    ]
    return len(found), found


def phantoms(
    history: list[Op], before: Roster | None, after: Roster, run: dict[int, Doctor]
) -> tuple[int, list[dict[str, Any]]]:
    """Changes no request explains, and doctors newly off call without any change of the run."""
    rows = unexplained(run, history, asked)
    earlier = before.off if before is not None else set()
    changed = set(run.values())
    unsure = Counter(who for op in history if op.status == "info" and (who := asked(op)) is not None)
    silent = [who for who in sorted(after.off - earlier) if who not in changed and not unsure[who]]
    found = [{"anomaly": "phantom", "shift": s, "doctor": d, "unexplained": n} for (s, d), n in sorted(rows.items())]
    found += [{"anomaly": "phantom", "shift": s, "doctor": d, "off_call_without_change": True} for s, d in silent]
    return sum(rows.values()) + len(silent), found


def check(
    history: list[Op], initial: dict[str, Any] | None, final: dict[str, Any] | None, max_examples: int = 5
) -> Check:
    tally = counts(history)
    before, after = roster(initial), roster(final)
    anomalies = dict.fromkeys(ANOMALIES, 0)
    evidence: list[dict[str, Any]] = []
    if after is not None:
        run = {change: who for change, who in after.changes.items() if before is None or change not in before.changes}
        for name, (n, found) in (
            ("uncovered", uncovered(history, before, after)),
            ("lost", lost(history, after, run)),
            ("phantom", phantoms(history, before, after, run)),
        ):
            anomalies[name] = n
            evidence += found
    problems = [PROBLEMS[name].format(n=n) for name, n in anomalies.items() if n]
    return conclude(
        anomalies,
        problems,
        tally,
        readable=before is not None and after is not None,
        ok_reason=f"{tally['acknowledged']} doctor(s) let go, every shift covered, each change in the final state",
        evidence=evidence[:max_examples],
    )
