"""``racelab check <report folder>``: judge every cell again from its saved record.

A report keeps each cell's record (its history, and the states the judge needs: ``initial``,
``final``, ``params``, ``declared_scope``, ``burst_size``) in its topology's
``cells/<topology>/cells.jsonl.gz``. After a checker or the judge changes, this says whether every
recorded verdict still follows from what the clients saw, without a stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.core.history import Op
from racelab.core.scenario import UnknownName
from racelab.engine.judge import Judgement, judge
from racelab.engine.results import Cell, read_records
from racelab.report.progress import Console
from racelab.report.results import Results, ResultsError
from racelab.topology import Scope


class Unusable(ValueError):
    """A cell (or the whole folder) that cannot be judged again; the message says why."""


@dataclass
class States:
    """``states.json``: what the judge needs besides the history."""

    initial: dict[str, Any] | None
    final: dict[str, Any] | None
    params: dict[str, Any]
    declared_scope: Scope | None
    burst_size: int | None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> States:
        label = raw["declared_scope"]
        try:
            scope = None if label is None else Scope[str(label).upper()]
        except KeyError:
            raise Unusable(f"declared_scope {label!r} is not a scope ({', '.join(s.label for s in Scope)})") from None
        burst = raw["burst_size"]
        return cls(raw["initial"], raw["final"], dict(raw["params"]), scope, None if burst is None else int(burst))


@dataclass
class Recheck:
    cell: Cell
    judgement: Judgement | None = None
    problem: str = ""  # why it could not be judged again

    @property
    def reproduces(self) -> bool:
        return self.judgement is not None and self.judgement.verdict == self.cell.judgement.verdict


def record_file(folder: Path, cell: Cell) -> Path:
    """The records file results.json names for a cell, else where the bench writes it."""
    relative = cell.files.get("record", f"cells/{cell.topology}/cells.jsonl.gz")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise Unusable(f"record file {relative!r} lies outside the report folder")
    return path


Records = dict[str, tuple[dict[str, Any], list[Op]]]


def load(folder: Path, path: Path, cache: dict[Path, Records]) -> Records:
    if path not in cache:
        try:
            cache[path] = read_records(path)
        except FileNotFoundError:
            raise Unusable(f"missing {path.relative_to(folder.resolve())}") from None
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            raise Unusable(f"unreadable records in {path.name} ({type(exc).__name__}: {exc})") from None
    return cache[path]


def recheck(folder: Path, cell: Cell, cache: dict[Path, Records] | None = None) -> Recheck:
    try:
        strategy = scenarios.strategy(cell.scenario, cell.strategy)
        records = load(folder, record_file(folder, cell), {} if cache is None else cache)
        if cell.key not in records:
            raise Unusable(f"no record of {cell.key} in {cell.files.get('record', 'its records file')}")
        raw_states, history = records[cell.key]
        try:
            states = States.from_json(raw_states)
        except (KeyError, TypeError, ValueError) as exc:
            raise Unusable(f"unreadable states ({type(exc).__name__}: {exc})") from None
    except (Unusable, UnknownName) as exc:
        return Recheck(cell, problem=str(exc))
    j = judge(strategy, history, states.initial, states.final, states.declared_scope, states.burst_size)
    return Recheck(cell, j)


def line(r: Recheck, width: int) -> str:
    recorded = r.cell.judgement
    where = f"{r.cell.key:<{width}} x {r.cell.topology:<9}"
    if r.judgement is None:
        return f"{where} cannot be judged again: {r.problem}"
    j = r.judgement
    text = f"{where} {j.verdict:<7} recorded {recorded.verdict:<7}"
    if not r.reproduces:
        return f"{text} ✗ differs: {j.reason}"
    notes = []
    if j.check.anomalies != recorded.check.anomalies:
        notes.append("anomalies now " + ", ".join(f"{k} {v}" for k, v in j.check.anomalies.items()))
    if j.expected != recorded.expected:
        notes.append(f"expected now {j.expected}, was {recorded.expected}")
    return f"{text} ✓ reproduces" + (f" ({'; '.join(notes)})" if notes else "")


def run(folder: Path, out: Console | None = None) -> int:
    """0: every verdict reproduces; 1: one differs; 2: the folder (or a cell of it) is unusable."""
    out = out or Console()
    if not folder.is_dir():
        raise Unusable(f"{folder} is not a folder (give a report folder, e.g. report/latest)")
    try:
        results = Results.load(folder / "results.json")
    except ResultsError as exc:
        raise Unusable(str(exc)) from None
    if not results.cells:
        raise Unusable(f"{folder / 'results.json'} records no cells")
    width = max(len(c.key) for c in results.cells)
    rechecks = []
    cache: dict[Path, Records] = {}
    for cell in results.cells:
        r = recheck(folder, cell, cache)
        rechecks.append(r)
        out.print(line(r, width))
    judged = [r for r in rechecks if r.judgement is not None]
    differ = [r for r in judged if not r.reproduces]
    unusable = len(rechecks) - len(judged)
    summary = f"{len(judged) - len(differ)} of {len(rechecks)} verdicts reproduce"
    if differ:
        out.print(f"{summary}; {len(differ)} differ from results.json")
        return 1
    if unusable:
        out.print(f"{summary}; {unusable} cell(s) could not be judged again (see above)")
        return 2
    out.print(f"all {len(rechecks)} verdicts reproduce from the saved histories")
    return 0
