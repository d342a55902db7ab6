"""Typed results, from an experiment to the report: what one cell of the matrix measured.

A *cell* is one strategy run under one topology. The Locust bench (``racelab.bench.headless``)
produces :class:`Cell` values; ``make report`` stores them in ``results.json`` and each cell's
*record* beside them: its history and the states the judge needs (``initial``, ``final``,
``params``, ``declared_scope``, ``burst_size``), one JSON line per cell in one gzip file per
topology (``cells/<topology>/cells.jsonl.gz``: a few files, rather than two per cell, keep a full
report small on disk). ``racelab check <report folder>`` judges every cell again from its record
after a checker changes.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from racelab.core.history import Op, compact
from racelab.engine.judge import Judgement

RECORDS = "cells.jsonl.gz"  # a topology's cell records, in the folder the bench writes to


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
    """How tightly the bursts fired: first to last send of each burst (client clock), first to
    last arrival at the app's sockets and first to last start in the app (wall clock, across
    processes: engine/spreads.py says why)."""

    bursts: int = 0
    burst_size: int = 0
    median_ms: float | None = None
    max_ms: float | None = None
    arrival_median_ms: float | None = None
    arrival_max_ms: float | None = None
    start_median_ms: float | None = None
    start_max_ms: float | None = None
    mode: str = "gate"  # how the bursts were sent (bench/options.py BURST_MODES)


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
            scenario=raw["scenario"],
            strategy=raw["strategy"],
            topology=raw["topology"],
            judgement=Judgement.from_json(raw["judgement"]),
            costs=Costs(**raw.get("costs", {})),
            spread=Spread(**raw.get("spread", {})),
            served_by=dict(raw.get("served_by", {})),
            params=dict(raw.get("params", {})),
            duration_s=float(raw.get("duration_s", 0.0)),
            drained=bool(raw.get("drained", True)),
            notes=list(raw.get("notes", [])),
            files=dict(raw.get("files", {})),
        )


def append_record(path: Path, key: str, states: dict[str, Any], history: list[Op]) -> None:
    """Add one cell's record (a gzip member of its own: appending needs no rewrite)."""
    line = json.dumps(
        {"cell": key, "states": states, "history": [compact(op) for op in history]}, separators=(",", ":")
    )
    with gzip.open(path, "at", encoding="utf-8") as out:
        out.write(line + "\n")


def read_records(path: Path) -> dict[str, tuple[dict[str, Any], list[Op]]]:
    """Every cell's record in a records file: key -> (states, history)."""
    found: dict[str, tuple[dict[str, Any], list[Op]]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                raw = json.loads(line)
                found[str(raw["cell"])] = (dict(raw["states"]), [Op.from_json(op) for op in raw["history"]])
    return found
