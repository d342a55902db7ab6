"""Run the matrix: scenarios x strategies x topologies, measured, into one report folder.

For each topology the stack is switched the way ``make up`` does it (:mod:`~racelab.report.lab`:
same runtime, ports and run folder; the runtime restarts only what changes), then the topology's
cells run in one child process (:mod:`~racelab.report.cells`). The topology the stack was found in
runs last, or is put back at the end, so the stack ends as it began.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from racelab.engine.results import Cell
from racelab.isolation.results import IsolationResults
from racelab.report import folders, markdown, model
from racelab.report import isolation as isolation_section
from racelab.report.cells import BENCH, run_topology
from racelab.report.lab import Lab, ReportError, Shape
from racelab.report.plan import Plan, make_plan, order_topologies
from racelab.report.progress import Console, Progress, clock
from racelab.report.results import Config, Host, Results, TopologyInfo, describe
from racelab.runtime.paths import project_root
from racelab.topology import TOPOLOGIES

__all__ = ["Plan", "ReportError", "make_plan", "order_topologies", "run"]


def revision() -> tuple[str, bool]:
    root = project_root()
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown", False
    return (sha.stdout.strip() or "unknown"), bool(dirty.stdout.strip())


def results_of(
    plan: Plan,
    cells: list[Cell],
    started: float,
    runtime: str,
    race_window_ms: int = 0,
    isolation: IsolationResults | None = None,
) -> Results:
    sha, dirty = revision()
    rows = {key: i for i, key in enumerate(plan.strategies)}
    columns = {name: i for i, name in enumerate(plan.topologies)}
    cells = sorted(cells, key=lambda c: (rows.get(c.key, len(rows)), columns.get(c.topology, len(columns))))
    config = Config(
        runtime=runtime,
        topologies=[TopologyInfo.of(TOPOLOGIES[t]) for t in plan.topologies],
        main_topology=plan.default_topology,
        users=plan.users,
        seconds_per_cell=plan.seconds,
        min_bursts=plan.min_bursts,
        race_window_ms=race_window_ms,
        quick=plan.quick,
        locust_html=plan.locust_html,
        selectors=plan.selectors,
        host=Host(os.cpu_count() or 0, platform.python_version(), platform.platform()),
    )
    return Results(
        revision=sha,
        dirty=dirty,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 1),
        config=config,
        scenarios=describe(plan.strategies),
        cells=cells,
        isolation=isolation,
    )


def put_back(lab: Lab, target: Shape) -> str:
    """Check that the stack runs ``target``; the line that says so (ReportError when it does not)."""
    now = lab.running()
    if now is None or not now.same_topology(target):
        seen = "does not answer" if now is None else f"runs {now.label}"
        raise ReportError(
            f"the stack should be back as {target.label} but {seen}; "
            f"bring it back with: {' '.join(f'{k}={v}' for k, v in target.environ().items())} make up"
        )
    return f"the stack is as the report found it: {target.label}"


def run(plan: Plan, stream: Console | None = None, lab: Lab | None = None, bench: Sequence[str] = BENCH) -> int:
    out = stream or Console()
    started = time.monotonic()
    lab = lab or Lab()
    found = lab.running()  # refuses (ReportError) before anything changes when it could not put it back
    target = found or lab.configured()
    order = order_topologies(plan, target.topology.name)
    restore = not order or order[-1] != target.topology.name
    window = target.race_window_ms if plan.race_window_ms is None else plan.race_window_ms
    folder = folders.new_folder(plan.out_root)
    out.print(
        f"racelab report: {len(plan.strategies)} strategies x {len(order)} topologies = {plan.cells} cells, "
        f"{plan.seconds:g} s of bursts of {plan.users} each, race window {window} ms; writing {folder}"
    )
    out.print(
        f"  found the stack running {found.label}; the report puts it back that way"
        if found
        else f"  the stack is not running: it starts, and is left up as configured, {target.label} (make down stops it)"
    )
    progress = Progress(plan.cells, out, switches=len(order) + restore)
    cells: list[Cell] = []
    try:
        for topology in order:
            progress.switching(f"switching the stack to {topology}")
            lab.switch(Shape.of(TOPOLOGIES[topology], target.race_window_ms))
            progress.note(f"  {topology}: stack ready in {progress.switched():.1f}s")
            url, token = lab.url_and_token()
            cells += run_topology(plan, window, topology, url, token, folder, progress, bench)
    except (ReportError, KeyboardInterrupt):
        progress.close()
        out.print(f"putting the stack back as {target.label} before stopping...")
        try:
            lab.switch(target)
            out.print(put_back(lab, target))
        except ReportError as again:
            print(f"racelab report: could not put the stack back: {again}", file=sys.stderr)
        raise
    restored, restore_error = "", ""
    try:
        if restore:
            progress.switching(f"putting the stack back as {target.label}")
            lab.switch(target)
            progress.switched()
        restored = put_back(lab, target)
    except ReportError as exc:
        restore_error = str(exc)
    progress.close()
    isolation = lab.isolation()  # once per report, on the stack as it was left
    results = results_of(plan, cells, started, lab.runtime.name, window, isolation)
    folders.write(results, folder)
    pruned = folders.prune(plan.out_root, plan.keep, folder)
    status = conclude(results, folder, out)
    if pruned:
        out.print(f"removed {len(pruned)} older report folder(s), keeping the last {plan.keep} (KEEP=N to change)")
    if restore_error:
        print(f"racelab report: {restore_error}", file=sys.stderr)
        return 2
    out.print(restored)
    return status


def conclude(results: Results, folder: Path, out: Console) -> int:
    """The matrices, where the report is, and the verdict line; the exit status (0, 1 or 2)."""
    for line in markdown.verdict_lines(results):
        out.print(line)
    for line in isolation_section.terminal_lines(results.isolation):
        out.print(line)
    t = model.tally(results)
    out.print(f"report: {folder / 'index.html'} ({clock(results.duration_s)}); also {folder.parent / 'latest'}")
    if t.ok:
        out.print(f"all {len(t.cells)} cells behaved as expected")
        return 0
    if not t.cells:
        out.print("no cells were run")
        return 2
    if t.mismatches:
        out.print(f"{len(t.mismatches)} of {len(t.cells)} cells differ from what was expected:")
        for cell in t.mismatches:
            out.print(f"  {model.problem(cell)}")
    if t.unknown:
        out.print(f"{len(t.unknown)} of {len(t.cells)} cells reached no verdict ({model.UNKNOWN_MEANS}):")
        for cell in t.unknown:
            out.print(f"  {model.problem(cell)}")
    return t.status
