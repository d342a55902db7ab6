"""Typed results, from an experiment to the report: what one cell of the matrix measured.

A *cell* is one strategy run under one topology. The Locust bench (``racelab.bench.headless``)
produces :class:`Cell` values; ``make report`` stores them in ``results.json`` and each cell's
history beside them (``cells/<topology>/<scenario>/<strategy>/history.jsonl`` and
``states.json``), so ``racelab check <report folder>`` can judge every cell again from its
saved history after a checker changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from racelab.engine.judge import Judgement


@dataclass
class Costs:
    """What the calls cost, as the load generator measured them (in bursts: under contention)."""

    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    retries_per_call: float = 0.0  # per acknowledged call, from X-Racelab-Retries
    wait_ms_per_call: float = 0.0  # lock wait per acknowledged call, from X-Racelab-Wait-Ms
    deadlocks_per_call: float = 0.0  # per acknowledged call, from X-Racelab-Deadlocks
    requests: int = 0  # the load generator's own count of requests (Locust's)


@dataclass
class Spread:
    """How tightly the bursts fired: first to last send of each burst, client clock."""

    bursts: int = 0
    burst_size: int = 0
    median_ms: float | None = None
    max_ms: float | None = None


@dataclass
class Cell:
    scenario: str
    strategy: str
    topology: str
    judgement: Judgement
    costs: Costs = field(default_factory=Costs)
    spread: Spread = field(default_factory=Spread)
    served_by: dict[str, int] = field(default_factory=dict)  # replicas / processes / threads that answered
    params: dict[str, Any] = field(default_factory=dict)  # the scenario's reset parameters
    duration_s: float = 0.0
    drained: bool = True  # every call sent was answered before the final read
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # name -> path relative to the report folder

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.strategy}"

    @property
    def matches(self) -> bool:
        return self.judgement.matches

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["judgement"] = self.judgement.to_json()
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Cell:
        return cls(
            scenario=raw["scenario"], strategy=raw["strategy"], topology=raw["topology"],
            judgement=Judgement.from_json(raw["judgement"]),
            costs=Costs(**raw.get("costs", {})), spread=Spread(**raw.get("spread", {})),
            served_by=dict(raw.get("served_by", {})), params=dict(raw.get("params", {})),
            duration_s=float(raw.get("duration_s", 0.0)), drained=bool(raw.get("drained", True)),
            notes=list(raw.get("notes", [])), files=dict(raw.get("files", {})),
        )
