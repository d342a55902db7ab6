"""Headless cells for ``make report``: Locust as a library, one fresh environment per strategy.

Run as ``python -m racelab.bench.headless`` by :mod:`racelab.report.runner`, once per topology,
so that the report's own process never imports Locust (which monkey-patches everything for
gevent). For each strategy it resets the lab, fires synchronised bursts for a few seconds,
lets the calls in flight finish, reads the counter and asks the checker, then writes Locust's own
CSV files and HTML report for the cell. It prints one JSON object per line on stdout: a
``start`` line before each cell and a ``cell`` line after it.
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
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
from locust.env import Environment
from locust.event import Events
from locust.html import get_html_report
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter, stats_history

from racelab import strategies
from racelab.bench.board import Board, observed_scope, per_call_costs, served_counts, spread_summary
from racelab.bench.node import BenchNode
from racelab.bench.user import CounterUser
from racelab.loadgen import LabError, read_value, request_json, reset


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def percentile(entry: Any, p: float) -> float | None:
    return float(entry.get_response_time_percentile(p)) if entry.num_requests else None


def write_locust_files(env: Environment, csv_writer: StatsCSVFileWriter, prefix: Path) -> dict[str, str]:
    """Locust's own ``--csv`` and ``--html`` outputs, with the final numbers."""
    csv_writer.close_files()
    for suffix, write in (
        ("_stats.csv", csv_writer.requests_csv),
        ("_failures.csv", csv_writer.failures_csv),
        ("_exceptions.csv", csv_writer.exceptions_csv),
    ):
        with open(f"{prefix}{suffix}", "w", newline="") as handle:
            write(csv.writer(handle))
    html = prefix.with_suffix(".html")
    html.write_text(get_html_report(env, show_download_link=False), encoding="utf-8")
    return {
        "csv_stats": f"{prefix.name}_stats.csv",
        "csv_history": f"{prefix.name}_stats_history.csv",
        "csv_failures": f"{prefix.name}_failures.csv",
        "html": html.name,
    }


def run_cell(args: argparse.Namespace, strategy: str, out: Path) -> dict[str, Any]:
    env = Environment(user_classes=[CounterUser], host=args.url, events=Events())
    env.parsed_options = SimpleNamespace(
        scenario=strategies.get(strategy).scenario, strategy=strategy,
        race_window_ms=args.race_window_ms, burst_size=args.users,
    )
    runner = env.create_local_runner()
    node = BenchNode.of(env)
    node.configure(env.parsed_options)
    board = Board(node.ledger)
    token = os.environ.get("LAB_TOKEN", "")
    board.begin([strategy], (lambda: reset(args.url, token)) if token else None, lambda s: read_value(args.url, s))

    prefix = out / strategy
    csv_writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, str(prefix), full_history=False)
    background = [gevent.spawn(csv_writer.stats_writer), gevent.spawn(stats_history, runner)]
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.users)
    # Long enough, and enough bursts; a slow machine gets more time, up to a cap.
    while True:
        gevent.sleep(0.05)
        elapsed = time.monotonic() - started
        if elapsed >= args.seconds and node.gate.bursts >= args.min_bursts:
            break
        if elapsed >= args.seconds * 3:
            break
    drained = node.quiesce(5.0)
    bursting_s = time.monotonic() - started
    runner.quit()
    gevent.killall(background)
    result = board.finish(lambda s: read_value(args.url, s))[strategy]
    files = write_locust_files(env, csv_writer, prefix)

    tally = node.ledger.tally(strategy)
    entry = env.stats.get(f"/api/counter/{strategy}/next", "POST")
    spread = spread_summary(tally)
    return {
        "strategy": strategy,
        "scenario": strategies.get(strategy).scenario,
        **{k: v for k, v in result.as_dict().items() if k not in ("collisions", "verdict")},
        "observed": result.verdict,
        "collisions": result.collisions,
        "locust_requests": entry.num_requests,  # Locust's own count: equals attempted when nothing was lost
        "rps": round(entry.total_rps, 1),
        "p50_ms": percentile(entry, 0.5),
        "p99_ms": percentile(entry, 0.99),
        "mean_ms": round(entry.avg_response_time, 2),
        "retries": tally.retries,
        **per_call_costs(tally, result.acknowledged),
        "bursts": spread["bursts"],
        "burst_size": args.users,
        "spread_ms_median": spread["spread_median_ms"],
        "spread_ms_max": spread["spread_max_ms"],
        "served_by": served_counts(tally),
        "observed_scope": observed_scope(tally).label,
        "duration_s": round(bursting_s, 2),
        "drained": drained,
        "notes": board.notes,
        "locust": files,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--strategies", default="all", help="comma-separated names, or all")
    parser.add_argument("--users", type=int, default=24, help="users per burst (all of them)")
    parser.add_argument("--seconds", type=float, default=2.0, help="bursting time per cell")
    parser.add_argument("--min-bursts", type=int, default=20)
    parser.add_argument("--race-window-ms", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="folder for Locust's CSV/HTML of each cell")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    names = strategies.names() if args.strategies == "all" else args.strategies.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        request_json(args.url, "GET", "/api/strategies")
    except (LabError, OSError) as exc:
        emit("error", message=f"the lab does not answer at {args.url}: {exc}")
        return 2
    for name in names:
        emit("start", strategy=name)
        emit("cell", cell=run_cell(args, name, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
