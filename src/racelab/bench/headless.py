"""Headless cells for ``make report``: Locust as a library, one fresh environment per strategy.

Run as ``python -m racelab.bench.headless`` by the report, once per topology, so that the report's
own process never imports Locust (which monkey-patches everything for gevent)::

    python -m racelab.bench.headless --url URL --topology NAME --strategies KEY,KEY,... --users N
        --seconds S --min-bursts M --race-window-ms W --out DIR [--locust-html]

For each strategy (``<scenario>/<strategy>``, ``<scenario>/all``, ``all`` or a counter strategy's
bare name) it resets the strategy's scenario (with what its workload asks for bursts of N),
reads the state, fires synchronised bursts of N users for S seconds (and at least M bursts, up
to 3 x S), lets the calls in flight finish, reads the state again and asks the engine's judge.
It appends each cell's record to ``DIR/cells.jsonl.gz`` (every call, and the initial and final
state, reset parameters, declared scope and burst size, for ``racelab check``), and with
``--locust-html`` Locust's own HTML report and CSV files beside them.

stdout carries one JSON object per line: ``{"event": "start", "strategy": key}`` before each
cell, ``{"event": "cell", "cell": Cell.to_json(), "timing": {...}}`` after it (``timing``: seconds
spent before, during and after the bursts), and ``{"event": "error", "message": ...}`` (exit
status 2) when the lab does not answer.
"""

from __future__ import annotations

import locust  # noqa: F401 - first: it monkey-patches the process for gevent

# isort: split
import argparse
import csv
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
from locust.env import Environment
from locust.event import Events
from locust.html import get_html_report as _html_report
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter, StatsEntry, stats_history

from racelab import scenarios
from racelab.bench import options, rows
from racelab.bench.board import Board
from racelab.bench.node import BenchNode
from racelab.bench.user import LabUser
from racelab.core.scenario import UnknownName
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, LabError
from racelab.engine.judge import served_counts
from racelab.engine.results import RECORDS, Cell, Costs, append_record
from racelab.topology import Scope

DRAIN_TIMEOUT_S = 5.0
# Locust's own functions are untyped; these names give them the types they have.
get_html_report: Callable[..., str] = _html_report
new_events: Callable[[], Any] = Events


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def locust_costs(env: Environment, strategy: Strategy, costs: Costs) -> Costs:
    """Locust's own numbers for the strategy's requests (all its operations together)."""
    prefix = f"/api/{strategy.scenario}/{strategy.name}/"
    total = StatsEntry(env.stats, prefix, "POST", use_response_times_cache=False)
    for (name, _method), entry in env.stats.entries.items():
        if name.startswith(prefix):
            total.extend(entry)
    if total.num_requests:
        costs.rps = round(total.total_rps, 1)
        costs.p50_ms = float(total.get_response_time_percentile(0.5))
        costs.p99_ms = float(total.get_response_time_percentile(0.99))
        costs.mean_ms = round(total.avg_response_time, 2)
    costs.requests = total.num_requests
    return costs


class LocustFiles:
    """Locust's ``--csv`` and ``--html`` outputs for one cell, written as Locust's main would."""

    def __init__(self, env: Environment, folder: Path) -> None:
        self.env, self.folder = env, folder
        self.prefix = folder / "locust"
        self.writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, str(self.prefix), full_history=False)
        self.background = [gevent.spawn(self.writer.stats_writer), gevent.spawn(stats_history, env.runner)]

    def write(self, root: Path) -> dict[str, str]:
        gevent.killall(self.background)
        self.writer.close_files()
        names = {"locust_csv": "_stats.csv", "locust_failures_csv": "_failures.csv"}
        for suffix, write in (("_stats.csv", self.writer.requests_csv), ("_failures.csv", self.writer.failures_csv)):
            with open(f"{self.prefix}{suffix}", "w", newline="") as handle:
                write(csv.writer(handle))
        html = self.folder / "locust.html"
        html.write_text(get_html_report(self.env, show_download_link=False), encoding="utf-8")
        files = {key: str(Path(f"{self.prefix}{suffix}").relative_to(root)) for key, suffix in names.items()}
        files["locust_history_csv"] = str(Path(f"{self.prefix}_stats_history.csv").relative_to(root))
        files["locust_html"] = str(html.relative_to(root))
        return files


def run_cell(
    args: argparse.Namespace, lab: LabClient, declared: Scope | None, strategy: Strategy, notes: list[str]
) -> tuple[Cell, dict[str, float]]:
    t0 = time.monotonic()
    env = Environment(user_classes=[LabUser], host=args.url, events=new_events())
    env.parsed_options = SimpleNamespace(
        strategy=strategy.key, race_window_ms=args.race_window_ms, burst_size=args.users, burst_mode=args.burst_mode
    )
    runner = env.create_local_runner()
    node = BenchNode.of(env)
    node.configure(env.parsed_options)
    board = Board(node.ledger)
    board.begin([strategy], lab, declared, args.users, args.users, list(notes))
    node.join_sessions(board.sessions)
    args.out.mkdir(parents=True, exist_ok=True)
    locust_files = None
    if args.locust_html:  # Locust's own files only when asked: about 1 MB per cell
        folder = args.out / strategy.scenario / strategy.name
        folder.mkdir(parents=True, exist_ok=True)
        locust_files = LocustFiles(env, folder)

    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.users)
    # Long enough, and enough bursts; a slow machine gets more time, up to a cap.
    while True:
        gevent.sleep(0.02)
        elapsed = time.monotonic() - started
        if elapsed >= args.seconds and node.gate.bursts >= args.min_bursts:
            break
        if elapsed >= args.seconds * 3:
            break
    drained = node.quiesce(DRAIN_TIMEOUT_S)
    bursting = time.monotonic() - started
    runner.quit()
    judgement = board.finish(lab)[strategy.key]
    tally = node.ledger.tally(strategy.key)
    drained = drained and not tally.in_flight()

    records = args.out / RECORDS
    states = {
        "initial": board.initial.get(strategy.key),
        "final": board.final.get(strategy.key),
        "params": board.params.get(strategy.scenario, {}),
        "declared_scope": declared.label if declared is not None else None,
        "burst_size": args.users,
    }
    append_record(records, strategy.key, states, board.history(strategy.key))
    files = {"record": RECORDS}
    if locust_files is not None:
        files.update(locust_files.write(args.out))

    cell = Cell(
        scenario=strategy.scenario,
        strategy=strategy.name,
        topology=args.topology,
        judgement=judgement,
        costs=locust_costs(env, strategy, rows.costs(tally)),
        spread=rows.spread(tally, args.users, args.burst_mode),
        served_by=served_counts([op for op in tally.ops if op.status == "ok"]),
        params=board.params.get(strategy.scenario, {}),
        duration_s=round(bursting, 2),
        drained=drained,
        notes=board.warnings(),
        files=files,
    )
    timing = {
        "setup_s": round(started - t0, 3),
        "bursting_s": round(bursting, 3),
        "teardown_s": round(time.monotonic() - started - bursting, 3),
    }
    return cell, timing


def chosen_strategies(raw: str) -> list[Strategy]:
    """Each selector the registry resolves, in the order given, each strategy once."""
    found: dict[str, Strategy] = {}
    for part in [p.strip() for p in raw.split(",") if p.strip()] or ["all"]:
        for strategy in scenarios.resolve(part):
            found.setdefault(strategy.key, strategy)
    return list(found.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="the lab (nginx), e.g. http://127.0.0.1:8080")
    parser.add_argument("--topology", default="", help="the topology the lab runs, recorded in each cell")
    parser.add_argument("--strategies", default="all", help="comma-separated <scenario>/<strategy> keys, or all")
    parser.add_argument("--users", type=int, default=24, help="users per burst (all of them)")
    parser.add_argument("--seconds", type=float, default=1.5, help="bursting time per cell")
    parser.add_argument("--min-bursts", type=int, default=15)
    parser.add_argument("--race-window-ms", type=int, default=0)
    parser.add_argument("--burst-mode", choices=options.BURST_MODES, default=options.DEFAULT_BURST_MODE)
    parser.add_argument("--out", type=Path, required=True, help="folder for each cell's files")
    parser.add_argument("--locust-html", action="store_true", help="also write Locust's HTML report and CSV files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        targets = chosen_strategies(args.strategies)
    except UnknownName as exc:
        emit("error", message=str(exc))
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    lab = LabClient(args.url, os.environ.get("LAB_TOKEN", ""))
    try:
        shape = lab.shape()
        declared = Scope[shape["scope"].upper()] if shape.get("scope") else None
    except (LabError, OSError, KeyError, ValueError) as exc:
        emit("error", message=f"the lab does not answer at {args.url}: {exc}")
        return 2
    notes = []
    if args.topology and shape.get("name") != args.topology:
        notes.append(f"the lab says it runs {shape.get('name')!r}, not {args.topology!r}")
    for strategy in targets:
        emit("start", strategy=strategy.key)
        cell, timing = run_cell(args, lab, declared, strategy, notes)
        emit("cell", cell=cell.to_json(), timing=timing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
