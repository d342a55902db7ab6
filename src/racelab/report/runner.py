"""Run the matrix: for each topology, switch the stack to it, run every strategy, record, render.

The stack is brought up the way ``make up`` does it (same runtime, ports and run folder), with
``TOPOLOGY`` set for each column; the runtime restarts only what must change. The cells of one
topology run in one child process (:mod:`racelab.bench.headless`), which drives Locust as a
library; this process never imports Locust. The topology the stack was configured with is run
last, so the stack is left as it was found.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from racelab import strategies
from racelab.report import html, markdown, model
from racelab.report.progress import Progress, clock
from racelab.runtime import envfile
from racelab.runtime.paths import project_root
from racelab.settings import StackSettings
from racelab.topology import DEFAULT_TOPOLOGY, TOPOLOGIES, custom_topology, get_topology


class ReportError(RuntimeError):
    """The matrix could not be run; the message says what to do."""


@dataclass
class Plan:
    topologies: list[str]
    strategies: list[str]
    seconds: float  # bursting time per cell
    users: int  # users per burst (all of them fire together)
    min_bursts: int
    race_window_ms: int
    quick: bool
    out_root: Path
    default_topology: str = DEFAULT_TOPOLOGY

    @property
    def cells(self) -> int:
        return len(self.topologies) * len(self.strategies)


def make_plan(
    quick: bool = False, topologies: list[str] | None = None, names: list[str] | None = None,
    seconds: float | None = None, users: int = 24, min_bursts: int = 15, out_root: Path | None = None,
) -> Plan:
    env = envfile.load(project_root())
    stack = StackSettings.from_env(env)
    chosen_default = env.get("TOPOLOGY", "").strip() or DEFAULT_TOPOLOGY
    if topologies:
        unknown = [t for t in topologies if t not in TOPOLOGIES]
        if unknown:
            raise ReportError(f"unknown topology {unknown[0]!r}; choose from: {', '.join(TOPOLOGIES)}")
        columns = topologies
    else:
        columns = [chosen_default] if quick else list(TOPOLOGIES)
    rows = [strategies.get(n).name for n in names] if names else strategies.names()
    return Plan(
        topologies=columns, strategies=rows,
        seconds=seconds if seconds is not None else (2.0 if quick else 1.5),
        users=users, min_bursts=min_bursts, race_window_ms=stack.race_window_ms, quick=quick,
        out_root=out_root or project_root() / "report", default_topology=chosen_default,
    )


def revision() -> tuple[str, bool]:
    root = project_root()
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown", False
    return (sha.stdout.strip() or "unknown"), bool(dirty.stdout.strip())


class Lab:
    """The stack, switched between topologies through the runtime that ``make up`` uses."""

    def __init__(self) -> None:
        from racelab.runtime.select import choose

        self.lines: list[str] = []
        self.runtime = choose(out=self.lines.append)
        self.original = os.environ.get("TOPOLOGY")

    def configured_topology(self) -> str:
        """The named topology the stack is configured with now (``custom`` if none)."""
        s = StackSettings.from_env(envfile.load(project_root()))
        return custom_topology(s.replicas, s.workers, s.threads).name

    def switch(self, topology: str) -> None:
        os.environ["TOPOLOGY"] = topology
        self.lines.clear()
        try:
            self.runtime.up()
        except Exception as exc:  # noqa: BLE001 - shown with what the runtime said
            raise ReportError(
                f"could not bring the stack up as {topology!r}: {exc}\n" + "\n".join(self.lines[-15:])
            ) from exc

    def restore(self) -> None:
        """Back to the configuration the stack had before the report (when it was not a named one)."""
        if self.original is None:
            os.environ.pop("TOPOLOGY", None)
        else:
            os.environ["TOPOLOGY"] = self.original
        self.lines.clear()
        self.runtime.up()

    def url_and_token(self) -> tuple[str, str]:
        env = envfile.load(project_root())
        return f"http://127.0.0.1:{StackSettings.from_env(env).nginx_port}", env.get("LAB_TOKEN", "")


def run_topology(
    plan: Plan, topology: str, url: str, token: str, folder: Path, progress: Progress
) -> list[dict[str, Any]]:
    """One child process runs every strategy under this topology; its JSON lines drive the bar."""
    out = folder / "locust" / topology
    scope = get_topology(topology).scope
    argv = [
        sys.executable, "-m", "racelab.bench.headless", "--url", url, "--out", str(out),
        "--strategies", ",".join(plan.strategies), "--users", str(plan.users), "--seconds", str(plan.seconds),
        "--min-bursts", str(plan.min_bursts), "--race-window-ms", str(plan.race_window_ms),
    ]
    cells: list[dict[str, Any]] = []
    log_path = folder / f"bench-{topology}.log"
    with open(log_path, "w") as log:
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True,
                                 env={**os.environ, "LAB_TOKEN": token})
        assert child.stdout is not None
        for line in child.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message["event"] == "start":
                progress.show(f"{message['strategy']} x {topology}")
            elif message["event"] == "cell":
                cell = message["cell"]
                cell["topology"] = topology
                cell["expected"] = strategies.get(cell["strategy"]).expected(scope)
                cell["locust"]["dir"] = f"locust/{topology}/"
                cells.append(cell)
                mark = "ok" if model.matches(cell) else f"EXPECTED {cell['expected'].upper()}"
                progress.advance(f"{cell['strategy']} x {topology}: {cell['observed']} ({mark})")
                if not model.matches(cell) and progress.tty:
                    progress.note(f"  {model.describe_mismatch(cell)}")
            elif message["event"] == "error":
                child.wait()
                raise ReportError(message["message"])
        code = child.wait()
    if code != 0 or len(cells) != len(plan.strategies):
        raise ReportError(f"the bench for {topology!r} stopped early (exit {code}); see {log_path}")
    return cells


def order_topologies(plan: Plan, configured: str) -> list[str]:
    """The configured topology last: the stack ends as it began, with one switch fewer."""
    return [t for t in plan.topologies if t != configured] + [t for t in plan.topologies if t == configured]


def results_of(plan: Plan, cells: list[dict[str, Any]], started: float, runtime: str) -> dict[str, Any]:
    sha, dirty = revision()
    cells.sort(key=lambda c: (plan.strategies.index(c["strategy"]), plan.topologies.index(c["topology"])))
    config = {
        "runtime": runtime,
        "runtime_settings": runtime_settings(),
        "quick": plan.quick,
        "default_topology": plan.default_topology,
        "topologies": [TOPOLOGIES[t].as_dict() for t in plan.topologies],
        "strategies": plan.strategies,
        "users": plan.users,
        "burst_size": plan.users,
        "seconds_per_cell": plan.seconds,
        "min_bursts": plan.min_bursts,
        "race_window_ms": plan.race_window_ms,
        "host": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    return model.enrich({
        "revision": sha,
        "dirty": dirty,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "config": config,
        "strategies": {name: strategies.describe(name) for name in plan.strategies},
        "cells": cells,
    })


def runtime_settings() -> dict[str, Any]:
    """The stack's resolved ports and knobs (no secrets), as the runtime read them."""
    s = StackSettings.from_env(envfile.load(project_root()))
    return {"nginx_port": s.nginx_port, "locust_port": s.locust_port, "race_window_ms": s.race_window_ms,
            "locust_workers": s.locust_workers}


def write(results: dict[str, Any], folder: Path) -> None:
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (folder / "index.html").write_text(html.render(results), encoding="utf-8")
    (folder / "summary.md").write_text(markdown.render(results), encoding="utf-8")
    latest = folder.parent / "latest"
    tmp = folder.parent / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    tmp.replace(latest)  # atomic: a reader never sees latest missing


def rerender(folder: Path, stream: Any = None) -> int:
    """Write index.html and summary.md again from a folder's results.json (no stack needed)."""
    stream = stream or sys.stdout
    try:
        results = json.loads((folder / "results.json").read_text())
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read {folder / 'results.json'}: {exc}") from exc
    (folder / "index.html").write_text(html.render(results), encoding="utf-8")
    (folder / "summary.md").write_text(markdown.render(results), encoding="utf-8")
    print(f"re-rendered {folder / 'index.html'} and summary.md", file=stream)
    return 0


def run(plan: Plan, stream: Any = None) -> int:
    stream = stream or sys.stdout
    started = time.monotonic()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = plan.out_root / stamp
    folder.mkdir(parents=True, exist_ok=True)
    lab = Lab()
    configured = lab.configured_topology()
    order = order_topologies(plan, configured)
    print(
        f"racelab report: {len(plan.strategies)} strategies x {len(order)} topologies = {plan.cells} cells, "
        f"{plan.seconds:g} s of bursts of {plan.users} each; writing {folder}",
        file=stream,
    )
    restore = configured not in plan.topologies
    progress = Progress(plan.cells, stream, switches=len(order) + restore)
    cells: list[dict[str, Any]] = []
    try:
        for topology in order:
            progress.switching(f"switching the stack to {topology}")
            lab.switch(topology)
            progress.note(f"  {topology}: stack ready in {progress.switched():.1f}s")
            url, token = lab.url_and_token()
            cells += run_topology(plan, topology, url, token, folder, progress)
        if restore:
            progress.switching("restoring the stack's own configuration")
            lab.restore()
            progress.switched()
    finally:
        progress.close()
    results = results_of(plan, cells, started, getattr(lab.runtime, "name", type(lab.runtime).__name__))
    write(results, folder)
    return conclude(results, folder, stream)


def conclude(results: dict[str, Any], folder: Path, stream: Any) -> int:
    print(markdown_matrix(results), file=stream)
    s = model.summary(results)
    print(f"\nreport: {folder / 'index.html'} ({clock(results['duration_s'])}); also {folder.parent / 'latest'}",
          file=stream)
    if s["ok"]:
        print(f"all {s['cells']} cells behaved as expected", file=stream)
        return 0
    print(f"{len(s['mismatches'])} cell(s) differ from what was expected:", file=stream)
    for line in s["mismatches"]:
        print(f"  {line}", file=stream)
    return 1


def markdown_matrix(results: dict[str, Any]) -> str:
    """The verdict table of summary.md, for the terminal."""
    text = markdown.render(results)
    start = text.index("## Verdicts")
    end = text.index("## What safety costs")
    return text[start:end].rstrip()

