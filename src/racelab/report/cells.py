"""One topology's cells: one child process (:mod:`racelab.bench.headless`) runs every chosen
strategy and prints one JSON line per event; its cells come back typed, with their files.

The bench drives Locust as a library; the report's own process never imports Locust (which
monkey-patches everything for gevent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from racelab.engine.results import Cell
from racelab.report import model
from racelab.report.lab import ReportError
from racelab.report.plan import Plan
from racelab.report.progress import Progress

BENCH = (sys.executable, "-m", "racelab.bench.headless")


@dataclass
class Event:
    """One line of the bench's output."""

    kind: str  # start, cell, error
    strategy: str = ""
    cell: Cell | None = None
    message: str = ""


def parse_event(line: str) -> Event | None:
    """The bench's JSON line, or None for anything else it printed."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    kind = raw["event"] if isinstance(raw, dict) and "event" in raw else None
    if kind not in ("start", "cell", "error"):
        return None
    try:
        if kind == "start":
            return Event("start", strategy=str(raw["strategy"]))
        if kind == "cell":
            return Event("cell", cell=Cell.from_json(raw["cell"]))
        return Event("error", message=str(raw["message"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"the bench printed a {kind!r} line racelab cannot read ({exc}): {line[:300]}") from exc


def adopt(cell: Cell, topology: str) -> Cell:
    """The bench's cell as the report keeps it: under this topology, with file paths relative to
    the report folder (the bench's are relative to its ``--out``, ``cells/<topology>/``)."""
    prefix = f"cells/{topology}/"
    return replace(cell, topology=topology, files={name: prefix + path for name, path in cell.files.items()})


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_topology(
    plan: Plan,
    race_window_ms: int,
    topology: str,
    url: str,
    token: str,
    folder: Path,
    progress: Progress,
    bench: Sequence[str] = BENCH,
) -> list[Cell]:
    """One child process runs every strategy under this topology; its JSON lines drive the bar."""
    argv = [
        *bench,
        "--url",
        url,
        "--topology",
        topology,
        "--strategies",
        ",".join(plan.strategies),
        "--users",
        str(plan.users),
        "--seconds",
        f"{plan.seconds:g}",
        "--min-bursts",
        str(plan.min_bursts),
        "--race-window-ms",
        str(race_window_ms),
        "--out",
        str(folder / "cells" / topology),
        *(["--locust-html"] if plan.locust_html else []),
    ]
    cells: list[Cell] = []
    log_path = folder / f"bench-{topology}.log"
    # A cell may stretch to three times its time to get its bursts, plus its reset and reads.
    limit = len(plan.strategies) * (plan.seconds * 3 + 20) + 60
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "LAB_TOKEN": token}
        )
        watchdog = threading.Timer(limit, child.kill)
        watchdog.start()
        try:
            assert child.stdout is not None
            for line in child.stdout:
                event = parse_event(line)
                if event is None:
                    continue
                if event.kind == "start":
                    progress.show(f"{event.strategy} x {topology}")
                elif event.kind == "error":
                    raise ReportError(f"the bench under {topology} says: {event.message}")
                elif event.cell is not None:
                    cell = adopt(event.cell, topology)
                    cells.append(cell)
                    j = cell.judgement
                    mark = "ok" if cell.matches else f"EXPECTED {j.expected.upper()}"
                    progress.advance(f"{cell.key} x {topology}: {j.verdict} ({mark})")
                    if not cell.matches and progress.tty:
                        progress.note(f"  {model.problem(cell)}")
            code = child.wait()
        finally:
            watchdog.cancel()
            if child.poll() is None:
                child.kill()
                child.wait()
    if code != 0 or len(cells) != len(plan.strategies):
        why = "was stopped after" if code == -9 else "stopped early after"
        raise ReportError(
            f"the bench under {topology!r} {why} {len(cells)} of {len(plan.strategies)} cells (exit {code}); "
            f"last lines of {log_path}:\n{tail(log_path)}"
        )
    if log_path.stat().st_size == 0:
        log_path.unlink()
    return cells
