"""Verdicts: three-valued, computed by a pure checker, compared with what the scope predicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["holds", "fails", "unknown"]
VERDICTS: tuple[Verdict, ...] = ("holds", "fails", "unknown")


@dataclass
class Check:
    """What a checker concluded from one history and the state before and after it."""

    verdict: Verdict
    reason: str
    attempted: int
    acknowledged: int
    failed: int
    indeterminate: int
    anomalies: dict[str, int]  # the scenario's own anomaly names, in its order
    evidence: list[dict[str, Any]] = field(default_factory=list)  # a few examples of what went wrong

    @property
    def total(self) -> int:
        return sum(self.anomalies.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Check:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def conclude(
    anomalies: dict[str, int],
    problems: list[str],
    counts: dict[str, int],
    readable: bool,
    ok_reason: str,
    evidence: list[dict[str, Any]] | None = None,
) -> Check:
    """The verdict every checker reaches the same way: any anomaly fails; without a readable
    state or without a single acknowledged call nothing can be said; otherwise it holds."""

    def result(verdict: Verdict, reason: str) -> Check:
        return Check(
            verdict,
            reason,
            counts["attempted"],
            counts["acknowledged"],
            counts["failed"],
            counts["indeterminate"],
            anomalies,
            evidence or [],
        )

    if problems:
        return result("fails", "; ".join(problems))
    if not readable:
        return result("unknown", "the state before or after the run could not be read")
    if not counts["acknowledged"]:
        return result(
            "unknown",
            f"no call was acknowledged ({counts['failed']} refused, {counts['indeterminate']} indeterminate)",
        )
    note = f"; {counts['indeterminate']} indeterminate call(s) within bounds" if counts["indeterminate"] else ""
    return result("holds", ok_reason + note)
