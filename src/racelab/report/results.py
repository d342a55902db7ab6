"""``results.json``: everything one report measured, as dataclasses, written and read back whole.

The runner builds a :class:`Results` from the registry (what each scenario and strategy is, and
the baseline each is priced against) and from the :class:`~racelab.engine.results.Cell` values
the bench produced; the renderers and ``racelab check`` read it back with
:meth:`Results.from_json`. A key that is missing is an error with a message, never a silent
default, so a page is never drawn from half a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.core.scenario import Scenario
from racelab.core.strategy import Strategy
from racelab.core.verdict import VERDICTS, Verdict
from racelab.engine.results import Cell
from racelab.isolation.results import IsolationResults
from racelab.topology import DEFAULT_SERVER, Topology

FORMAT = 2  # 1: the counter-only results.json of racelab before scenarios were packages


class ResultsError(ValueError):
    """A results.json that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class TopologyInfo:
    name: str
    replicas: int
    workers: int
    threads: int
    scope: str
    description: str = ""
    server: str = DEFAULT_SERVER

    @property
    def shape(self) -> str:
        numbers = f"{self.replicas}×{self.workers}×{self.threads}"
        return numbers if self.server == DEFAULT_SERVER else f"{numbers} {self.server}"

    @classmethod
    def of(cls, topology: Topology) -> TopologyInfo:
        return cls(
            topology.name,
            topology.replicas,
            topology.workers,
            topology.threads,
            topology.scope.label,
            topology.description,
            topology.server,
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TopologyInfo:
        return cls(
            str(raw["name"]),
            int(raw["replicas"]),
            int(raw["workers"]),
            int(raw["threads"]),
            str(raw["scope"]),
            str(raw["description"]),
            # Reports from before servers were a choice all ran gunicorn's gthread worker.
            str(raw.get("server") or DEFAULT_SERVER),
        )


@dataclass(frozen=True)
class Host:
    cpus: int
    python: str
    platform: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Host:
        return cls(int(raw["cpus"]), str(raw["python"]), str(raw["platform"]))


@dataclass
class Config:
    """How the matrix was run."""

    runtime: str  # native or docker
    topologies: list[TopologyInfo]  # the columns, in display order
    main_topology: str  # the one the cost tables lead with: the configured (default) topology
    users: int  # users per burst: every one of them fires at once, so also the burst size
    seconds_per_cell: float
    min_bursts: int
    race_window_ms: int
    quick: bool
    locust_html: bool
    selectors: list[str]  # what --strategy asked for
    host: Host

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Config:
        return cls(
            runtime=str(raw["runtime"]),
            topologies=[TopologyInfo.from_json(t) for t in raw["topologies"]],
            main_topology=str(raw["main_topology"]),
            users=int(raw["users"]),
            seconds_per_cell=float(raw["seconds_per_cell"]),
            min_bursts=int(raw["min_bursts"]),
            race_window_ms=int(raw["race_window_ms"]),
            quick=bool(raw["quick"]),
            locust_html=bool(raw["locust_html"]),
            selectors=[str(s) for s in raw["selectors"]],
            host=Host.from_json(raw["host"]),
        )


def _verdict(raw: object) -> Verdict:
    if raw not in VERDICTS:
        raise ValueError(f"not a verdict: {raw!r} (holds, fails or unknown)")
    return raw


@dataclass
class StrategyInfo:
    """One strategy as the registry describes it, and what it is priced against."""

    name: str
    scenario: str
    store: str
    protection: str  # none, guard or native
    guard: str | None
    summary: str
    safe_up_to: str  # a scope label, or "never"
    explanation: str  # the module docstring
    expected: dict[str, Verdict]  # per named topology
    baseline: str | None  # Scenario.baseline: the strategy it is priced against (None: not priced)

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.name}"

    @classmethod
    def of(cls, scenario: Scenario, strategy: Strategy) -> StrategyInfo:
        described = strategy.describe()
        baseline = scenario.baseline(strategy)
        return cls.from_json({**described, "baseline": baseline.name if baseline else None})

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> StrategyInfo:
        return cls(
            name=str(raw["name"]),
            scenario=str(raw["scenario"]),
            store=str(raw["store"]),
            protection=str(raw["protection"]),
            guard=None if raw["guard"] is None else str(raw["guard"]),
            summary=str(raw["summary"]),
            safe_up_to=str(raw["safe_up_to"]),
            explanation=str(raw["explanation"]),
            expected={str(t): _verdict(v) for t, v in raw["expected"].items()},
            baseline=None if raw["baseline"] is None else str(raw["baseline"]),
        )


@dataclass
class ScenarioInfo:
    """One scenario as the registry describes it, with the strategies the report ran."""

    name: str
    title: str
    question: str
    explanation: str
    anomalies: dict[str, str]  # name -> what it means, in display order
    operations: dict[str, str]
    strategies: list[StrategyInfo]

    def strategy(self, name: str) -> StrategyInfo | None:
        return next((s for s in self.strategies if s.name == name), None)

    @classmethod
    def of(cls, scenario: Scenario, names: Iterable[str] | None = None) -> ScenarioInfo:
        """``names``: the strategies to keep (the ones the report ran), in the registry's order."""
        described = scenario.describe()
        wanted = set(scenario.strategies if names is None else names)
        return cls(
            name=scenario.name,
            title=str(described["title"]),
            question=str(described["question"]),
            explanation=str(described["explanation"]),
            anomalies=dict(described["anomalies"]),
            operations=dict(described["operations"]),
            strategies=[StrategyInfo.of(scenario, s) for s in scenario.strategies.values() if s.name in wanted],
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ScenarioInfo:
        return cls(
            name=str(raw["name"]),
            title=str(raw["title"]),
            question=str(raw["question"]),
            explanation=str(raw["explanation"]),
            anomalies={str(k): str(v) for k, v in raw["anomalies"].items()},
            operations={str(k): str(v) for k, v in raw["operations"].items()},
            strategies=[StrategyInfo.from_json(s) for s in raw["strategies"]],
        )


def describe(keys: Iterable[str]) -> list[ScenarioInfo]:
    """The scenarios of these ``scenario/strategy`` keys, each with only those strategies."""
    chosen: dict[str, set[str]] = {}
    for key in keys:
        scenario, strategy = key.split("/", 1)
        chosen.setdefault(scenario, set()).add(strategy)
    return [ScenarioInfo.of(sc, chosen[name]) for name, sc in scenarios.scenarios().items() if name in chosen]


@dataclass
class Results:
    revision: str
    dirty: bool  # the working tree had uncommitted changes
    generated_at: str  # ISO 8601, UTC
    duration_s: float
    config: Config
    scenarios: list[ScenarioInfo]
    cells: list[Cell] = field(default_factory=list)
    isolation: IsolationResults | None = None  # the isolation anomalies matrix, run once per report
    format: int = FORMAT

    def scenario(self, name: str) -> ScenarioInfo | None:
        return next((s for s in self.scenarios if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["cells"] = [cell.to_json() for cell in self.cells]
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Results:
        try:
            found = raw["format"]
        except KeyError:
            found = 1  # the first results.json had no format
        except TypeError:
            found = None
        if found != FORMAT:
            raise ResultsError(
                f"format {found!r}, not {FORMAT}: written by another version of racelab "
                "(run make report again to get a report this version can read)"
            )
        try:
            return cls(
                revision=str(raw["revision"]),
                dirty=bool(raw["dirty"]),
                generated_at=str(raw["generated_at"]),
                duration_s=float(raw["duration_s"]),
                config=Config.from_json(raw["config"]),
                scenarios=[ScenarioInfo.from_json(s) for s in raw["scenarios"]],
                cells=[Cell.from_json(c) for c in raw["cells"]],
                # Optional: reports written before the isolation section have none.
                isolation=IsolationResults.from_json(raw["isolation"]) if raw.get("isolation") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ResultsError(f"not a racelab results file ({type(exc).__name__}: {what})") from exc

    def save(self, path: Path) -> None:
        # Compact: a full report keeps every cell's evidence, and the folder should stay small.
        text = json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Results:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ResultsError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise ResultsError(f"{path} is not JSON: {exc}") from exc
        try:
            return cls.from_json(raw)
        except ResultsError as exc:
            raise ResultsError(f"{path}: {exc}") from exc
