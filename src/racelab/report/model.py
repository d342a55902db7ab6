"""What the report says, derived from :class:`~racelab.report.results.Results` alone: pure, no I/O.

Per scenario: a verdict matrix (strategies x topologies), a cost table against the scenario's own
unprotected baseline (``Scenario.baseline``, recorded in results.json), and a few examples of what
went wrong, straight from the checker's evidence. The page and summary.md both draw from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from racelab.engine.judge import exit_status
from racelab.engine.results import Cell
from racelab.report.results import Results, ScenarioInfo, StrategyInfo

UNKNOWN_MEANS = (
    "unknown means that the run could not support a verdict either way: no call was acknowledged, the "
    "state could not be read, or the calls never overlapped, so nothing could race"
)


# --- the whole report -------------------------------------------------------------------------


@dataclass
class Tally:
    cells: list[Cell]

    @property
    def mismatches(self) -> list[Cell]:
        """A verdict was reached, and it is not the expected one."""
        return [c for c in self.cells if c.judgement.verdict != "unknown" and not c.matches]

    @property
    def unknown(self) -> list[Cell]:
        """No verdict could be reached."""
        return [c for c in self.cells if c.judgement.verdict == "unknown"]

    @property
    def as_expected(self) -> int:
        return sum(c.matches for c in self.cells)

    @property
    def calls(self) -> int:
        return sum(c.judgement.check.attempted for c in self.cells)

    @property
    def ok(self) -> bool:
        return bool(self.cells) and self.as_expected == len(self.cells)

    @property
    def status(self) -> int:
        """0: every cell as expected; 1: a verdict differs; 2: none differs but one is unknown, or no cells."""
        return exit_status([c.judgement for c in self.cells]) if self.cells else 2


def tally(results: Results) -> Tally:
    return Tally(results.cells)


def anomaly_counts(cell: Cell) -> list[tuple[str, int]]:
    """The scenario's own anomalies that this cell showed, in the checker's order."""
    return [(name, n) for name, n in cell.judgement.check.anomalies.items() if n]


def anomaly_text(cell: Cell) -> str:
    return ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in anomaly_counts(cell))


def problem(cell: Cell) -> str:
    """One line naming a cell that did not behave as expected, and why it matters."""
    j = cell.judgement
    where = f"{cell.key} x {cell.topology}"
    if j.verdict == "unknown":
        return f"{where}: no verdict (expected {j.expected}): {j.reason}"
    why = "a safe strategy leaked" if j.expected == "holds" else "an unsafe strategy did not show its race"
    counts = anomaly_text(cell) or f"no anomaly in {j.check.acknowledged:,} acknowledged calls"
    return f"{where}: expected {j.expected}, observed {j.verdict} ({why}; {counts})"


def topologies(results: Results) -> list[str]:
    """Topology names in the configured order, then any other the cells mention."""
    names = [t.name for t in results.config.topologies]
    names += [t for t in dict.fromkeys(c.topology for c in results.cells) if t not in names]
    return names


def shape(results: Results, topology: str) -> str:
    found = next((t for t in results.config.topologies if t.name == topology), None)
    return found.shape if found else ""


def main_topology(results: Results) -> str:
    """The topology the cost tables lead with: the configured one if it was run, else the last."""
    names = topologies(results)
    main = results.config.main_topology
    return main if main in names or not names else names[-1]


def cells_of(results: Results, scenario: str) -> dict[tuple[str, str], Cell]:
    """(strategy, topology) -> cell, for one scenario."""
    return {(c.strategy, c.topology): c for c in results.cells if c.scenario == scenario}


def strategies_of(results: Results, scenario: ScenarioInfo) -> list[StrategyInfo]:
    """The scenario's strategies; a cell of a strategy the metadata lacks still gets a row."""
    rows = list(scenario.strategies)
    known = {s.name for s in rows}
    for cell in results.cells:
        if cell.scenario == scenario.name and cell.strategy not in known:
            known.add(cell.strategy)
            rows.append(StrategyInfo(cell.strategy, scenario.name, "?", "?", None, "", "?", "", {}, None))
    return rows


# --- the verdict matrix -----------------------------------------------------------------------


@dataclass
class MatrixCell:
    topology: str
    cell: Cell | None  # None: not run

    @property
    def css(self) -> str:
        if self.cell is None:
            return "unknown"
        return self.cell.judgement.verdict + ("" if self.cell.matches else " mismatch")

    @property
    def mark(self) -> str:
        return "" if self.cell is None else ("✓" if self.cell.matches else "✗")

    @property
    def counts(self) -> str:
        if self.cell is None:
            return ""
        found = anomaly_text(self.cell)
        return found or f"0 anomalies in {self.cell.judgement.check.acknowledged:,}"


@dataclass
class MatrixRow:
    strategy: StrategyInfo
    cells: list[MatrixCell]


@dataclass
class Matrix:
    scenario: ScenarioInfo
    topologies: list[str]
    rows: list[MatrixRow]


def matrix(results: Results, scenario: ScenarioInfo) -> Matrix:
    cells = cells_of(results, scenario.name)
    columns = [t for t in topologies(results) if any(topology == t for _, topology in cells)]
    rows = [
        MatrixRow(s, [MatrixCell(t, cells.get((s.name, t))) for t in columns]) for s in strategies_of(results, scenario)
    ]
    return Matrix(scenario, columns, rows)


# --- costs ------------------------------------------------------------------------------------


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return value / base


@dataclass
class CostRow:
    """A strategy's price under one topology, next to its unprotected baseline's in the same run."""

    strategy: StrategyInfo
    cell: Cell
    baseline: str | None
    baseline_cell: Cell | None

    @property
    def rps_ratio(self) -> float | None:
        return ratio(self.cell.costs.rps, self.baseline_cell.costs.rps) if self.baseline_cell else None

    @property
    def p50_ratio(self) -> float | None:
        return ratio(self.cell.costs.p50_ms, self.baseline_cell.costs.p50_ms) if self.baseline_cell else None

    @property
    def p99_ratio(self) -> float | None:
        return ratio(self.cell.costs.p99_ms, self.baseline_cell.costs.p99_ms) if self.baseline_cell else None


def cost_rows(results: Results, scenario: ScenarioInfo, topology: str) -> list[CostRow]:
    """Every strategy that has a baseline (``Scenario.baseline``), priced under one topology."""
    cells = cells_of(results, scenario.name)
    rows = []
    for strategy in scenario.strategies:
        cell = cells.get((strategy.name, topology))
        if cell is None or strategy.baseline is None:
            continue
        rows.append(CostRow(strategy, cell, strategy.baseline, cells.get((strategy.baseline, topology))))
    return rows


def baselines(rows: list[CostRow]) -> list[str]:
    """The baselines the rows are priced against, in order of first use."""
    return list(dict.fromkeys(r.baseline for r in rows if r.baseline))


# --- evidence ---------------------------------------------------------------------------------


def served_text(served: Any) -> str:
    """``replica / pid N / thread``, plus whatever else the entry says."""
    if not isinstance(served, dict):
        return str(served)
    extra = " ".join(f"{k}={v}" for k, v in served.items() if k not in ("replica", "pid", "thread"))
    parts = [str(served[k]) if k != "pid" else f"pid {served[k]}" for k in ("replica", "pid", "thread") if k in served]
    text = " / ".join(parts)
    return f"{text} {extra}".strip()


def value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(str(v) for v in value) if value else "none"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return "none" if value is None else str(value)


@dataclass
class Example:
    """One of a checker's examples, made displayable whatever its scenario."""

    items: list[tuple[str, str]]  # field -> text
    served: list[str]  # who answered the calls involved (replica / pid / thread)
    more_served: int  # how many more than shown


SHOWN_SERVED = 6


def example(raw: dict[str, Any]) -> Example:
    items, served, more = [], [], 0
    for key, value in raw.items():
        if key == "served_by":
            entries = value if isinstance(value, list) else [value]
            served = [served_text(s) for s in entries[:SHOWN_SERVED]]
            more = max(0, len(entries) - SHOWN_SERVED)
        else:
            items.append((key.replace("_", " "), value_text(value)))
    return Example(items, served, more)


@dataclass
class Evidence:
    topology: str | None  # where the examples come from (None: nothing went wrong anywhere)
    examples: list[Example]
    acknowledged: int  # across every cell of the strategy
    cells: int


def evidence(results: Results, scenario: str, strategy: str, limit: int = 3) -> Evidence:
    """A few of the checker's examples, from the widest topology that has any (a failing cell first)."""
    order = topologies(results)
    mine = sorted(
        (c for c in results.cells if (c.scenario, c.strategy) == (scenario, strategy)),
        key=lambda c: order.index(c.topology),
        reverse=True,
    )
    acknowledged = sum(c.judgement.check.acknowledged for c in mine)
    with_examples = [c for c in mine if c.judgement.check.evidence]
    with_examples.sort(key=lambda c: c.judgement.verdict != "fails")  # stable: widest failing first
    if not with_examples:
        return Evidence(None, [], acknowledged, len(mine))
    chosen = with_examples[0]
    return Evidence(
        chosen.topology, [example(e) for e in chosen.judgement.check.evidence[:limit]], acknowledged, len(mine)
    )
