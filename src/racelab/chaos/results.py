"""A chaos run's results: typed, saved as JSON and Markdown in ``chaos/<time>/``, linked as
``chaos/latest``, and summed up for ``racelab report``'s "under faults" section."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StrategyResult:
    key: str
    store: str
    expected: str
    verdict: str
    outcome: str  # "holds (as expected)", "the store lost data", "fails (expected holds)"...
    ok: bool
    acknowledged: int
    indeterminate: int
    lost: int
    anomalies: dict[str, int]
    reason: str


@dataclass
class FaultResult:
    name: str
    description: str
    did: list[str] = field(default_factory=list)
    skipped: str | None = None
    destroys: list[str] = field(default_factory=list)  # stores whose data the fault may destroy
    acknowledged: int = 0
    indeterminate: int = 0
    lost: int = 0  # acknowledged operations lost by strategies whose store survives the fault
    errors: dict[str, int] = field(default_factory=dict)
    not_json: int = 0
    longest_wait_s: float = 0.0
    affected: int = 0  # strategies the fault hurt (an error while it lasted); recovery is theirs
    recovery_s: float | None = None  # fault end to the first success on every replica
    recovery_by_replica: dict[str, float | None] = field(default_factory=dict)
    # The same per worker process, after a store came back (a killed worker has no successor to
    # measure here): the slowest worker's first success after the fault's end.
    workers_recovery_s: float | None = None
    strategies: list[StrategyResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.skipped is not None or (all(s.ok for s in self.strategies) and not self.not_json)


@dataclass
class ChaosResults:
    generated_at: str
    runtime: str
    scope: str
    redis: dict[str, str]
    faults: list[FaultResult] = field(default_factory=list)
    skipped_strategies: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 0 if all(f.ok for f in self.faults) else 1

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ChaosResults:
        faults = []
        for f in raw.get("faults", []):
            strategies = [StrategyResult(**s) for s in f.get("strategies", [])]
            faults.append(FaultResult(**{**f, "strategies": strategies}))
        known = {k: raw[k] for k in ("generated_at", "runtime", "scope", "redis", "skipped_strategies") if k in raw}
        return cls(**known, faults=faults)


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def errors_text(errors: dict[str, int], limit: int = 4) -> str:
    shown = ", ".join(f"{n} × {e}" for e, n in list(errors.items())[:limit])
    more = len(errors) - limit
    return (shown + (f", +{more} more" if more > 0 else "")) or "none"


def fault_table(results: ChaosResults) -> list[str]:
    lines = [
        "| fault | acknowledged | indeterminate | lost (stores that survive) | errors | not JSON | longest wait "
        "| recovery |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in results.faults:
        if f.skipped:
            lines.append(f"| {f.name} | skipped: {f.skipped} | | | | | | |")
            continue
        lines.append(
            f"| {f.name} | {f.acknowledged} | {f.indeterminate} | {f.lost} | {errors_text(f.errors)} | {f.not_json} "
            f"| {f.longest_wait_s:.2f} s | {seconds(f.recovery_s)}"
            + ("" if f.name.startswith("kill-") else f" (every worker: {seconds(f.workers_recovery_s)})")
            + " |"
        )
    return lines


def notable(results: ChaosResults) -> list[str]:
    """The strategies worth a line: anomalies, a lost store, or a lease under the pause."""
    lines = []
    for f in results.faults:
        for s in f.strategies:
            if s.verdict != "holds" or s.expected != "holds" or not s.ok:
                anomalies = ", ".join(f"{k}={v}" for k, v in s.anomalies.items() if v) or "no anomalies"
                lines.append(f"- **{f.name}** `{s.key}` ({s.store}): {s.outcome}; {anomalies}. {s.reason}")
    return lines


def markdown(results: ChaosResults, heading: str = "#") -> str:
    r = results
    lines = [
        f"{heading} racelab chaos: the safe strategies under faults",
        "",
        f"{r.generated_at} · {r.runtime} runtime · {r.scope} scope · Redis appendonly={r.redis.get('appendonly')} "
        f"appendfsync={r.redis.get('appendfsync')}",
        "",
        "**No acknowledged operation was lost where the store survives the fault.**"
        if r.status == 0
        else "**Some strategies lost acknowledged work, or failed otherwise than expected, under a fault.**",
        "",
        *fault_table(r),
        "",
        "Lost: acknowledged operations missing from the final state, counted only for strategies whose "
        "store survives the fault (Jepsen's rule for the counter: acknowledged <= final - initial <= "
        "acknowledged + indeterminate). Recovery: from the fault's end to the first success on every replica.",
        "",
        *notable(r),
    ]
    if r.skipped_strategies:
        lines += ["", f"Not run (their calls share a session): {', '.join(r.skipped_strategies)}."]
    return "\n".join(lines) + "\n"


def write(results: ChaosResults, folder: Path) -> None:
    (folder / "results.json").write_text(json.dumps(results.to_json(), indent=2) + "\n", encoding="utf-8")
    (folder / "summary.md").write_text(markdown(results), encoding="utf-8")
    latest = folder.parent / "latest"
    tmp = folder.parent / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    tmp.replace(latest)


def latest(root: Path) -> ChaosResults | None:
    """The last chaos run's results under ``root`` (``chaos/``), if there is a readable one."""
    path = root / "latest" / "results.json"
    try:
        return ChaosResults.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def report_section(root: Path) -> list[str]:
    """``racelab report``'s "under faults" section: the latest chaos run, or how to make one."""
    found = latest(root)
    if found is None:
        return ["## Under faults", "", "No chaos run yet: `make chaos` runs the safe strategies under faults.", ""]
    body = markdown(found, heading="##").splitlines()
    return ["## Under faults", "", *body[2:], ""]
