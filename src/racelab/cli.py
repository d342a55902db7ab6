"""The lab's command line; the Makefile's targets are one line each over these commands."""

from __future__ import annotations

import argparse
import os
import sys

from racelab import strategies
from racelab.topology import TOPOLOGIES


def _runtime():  # type: ignore[no-untyped-def]
    from racelab.runtime.select import choose

    return choose()


def cmd_up(args: argparse.Namespace) -> int:
    if args.topology:
        # The runtimes read TOPOLOGY like every other setting; only what it changes restarts.
        os.environ["TOPOLOGY"] = args.topology
    _runtime().up()
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    _runtime().down()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    return _runtime().status()


def cmd_logs(args: argparse.Namespace) -> int:
    _runtime().logs_cmd(args.service, args.follow, args.lines)
    return 0


def cmd_strategies(args: argparse.Namespace) -> int:
    header = f"{'strategy':<20} {'store':<9} " + " ".join(f"{t:<9}" for t in TOPOLOGIES) + " summary"
    print(header)
    for name in strategies.names():
        d = strategies.describe(name)
        cells = " ".join(f"{d['expected'][t]:<9}" for t in TOPOLOGIES)  # type: ignore[index]
        print(f"{name:<20} {d['store']:<9} {cells} {d['summary']}")
    return 0


def cmd_burst(args: argparse.Namespace) -> int:
    """Reset, fire synchronised bursts at one strategy, and print the computed verdict."""
    from racelab.loadgen import LabError, run_check
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root
    from racelab.settings import StackSettings
    from racelab.topology import custom_topology

    env = envfile.load(project_root())
    stack = StackSettings.from_env(env)
    url = args.url or f"http://127.0.0.1:{stack.nginx_port}"
    scope = custom_topology(stack.replicas, stack.workers, stack.threads).scope
    names = strategies.names() if args.strategy == "all" else [strategies.get(args.strategy).name]
    worst = 0
    for name in names:
        try:
            result, spread = run_check(url, env.get("LAB_TOKEN", ""), name, args.callers, args.rounds, args.race_window_ms)
        except (LabError, OSError) as exc:
            print(f"{name}: could not run against {url}: {exc}\n(is the lab up? make up)", file=sys.stderr)
            return 2
        expected = strategies.get(name).expected(scope)
        print(
            f"{name:<20} {result.verdict:<7} (expected {expected:<5}) acknowledged={result.acknowledged} "
            f"duplicates={result.duplicates} lost={result.lost} failed={result.failed} "
            f"indeterminate={result.indeterminate} final={result.final} spread={spread:.1f}ms"
        )
        if args.verbose or result.verdict != "holds":
            print(f"    {result.reason}")
            for c in result.collisions[:3]:
                who = ", ".join(f"{s.get('replica')}/pid {s.get('pid')}/{s.get('thread')}" for s in c["served_by"])
                print(f"    value {c['value']} handed to: {who}")
        worst = max(worst, 1 if result.verdict == "unknown" else 0)
    return worst


def cmd_report(args: argparse.Namespace) -> int:
    """Every strategy under every topology (QUICK=1: the default topology only), into report/."""
    from pathlib import Path

    from racelab.report.runner import ReportError, make_plan, rerender, run

    quick = args.quick or os.environ.get("QUICK", "").strip().lower() in ("1", "true", "yes")
    try:
        if args.render:
            return rerender(Path(args.render))
        plan = make_plan(
            quick=quick,
            topologies=_csv(args.topology),
            names=_csv(args.strategy),
            seconds=args.seconds,
            users=args.users,
            out_root=Path(args.out) if args.out else None,
        )
        return run(plan)
    except ReportError as exc:
        print(f"\nracelab report: {exc}", file=sys.stderr)
        return 2


def _csv(raw: str | None) -> list[str] | None:
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="racelab", description="Race conditions in Flask, live.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the lab (native or docker runtime)")
    up.add_argument(
        "-t", "--topology", choices=list(TOPOLOGIES),
        help="run this topology (same as TOPOLOGY=<name>); only the services it changes restart",
    )
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop everything the lab started").set_defaults(func=cmd_down)
    sub.add_parser("status", help="what runs, where").set_defaults(func=cmd_status)
    logs = sub.add_parser("logs", help="show the services' logs")
    logs.add_argument("service", nargs="?", help="one service, e.g. app-1, nginx, postgres")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(func=cmd_logs)
    sub.add_parser("strategies", help="the strategies and their expected verdicts").set_defaults(func=cmd_strategies)
    burst = sub.add_parser("burst", help="fire synchronised callers at a strategy and check the result")
    burst.add_argument("strategy", help="a strategy name, or 'all'")
    burst.add_argument("-n", "--callers", type=int, default=50)
    burst.add_argument("-r", "--rounds", type=int, default=1)
    burst.add_argument("-w", "--race-window-ms", type=int, default=None)
    burst.add_argument("--url", help="the lab's base URL (default: nginx on 127.0.0.1)")
    burst.add_argument("-v", "--verbose", action="store_true")
    burst.set_defaults(func=cmd_burst)
    report = sub.add_parser("report", help="run every strategy under every topology; write report/<time>/")
    report.add_argument("--quick", action="store_true", help="the default topology only (also QUICK=1)")
    report.add_argument("--topology", help="comma-separated topologies instead of all of them")
    report.add_argument("--strategy", help="comma-separated strategies instead of all of them")
    report.add_argument("--seconds", type=float, help="bursting time per cell (default 1.5, quick 2)")
    report.add_argument("--users", type=int, default=24, help="users per burst (default 24)")
    report.add_argument("--out", help="folder for the reports (default: report/ in the checkout)")
    report.add_argument("--render", metavar="FOLDER", help="only re-render FOLDER's pages from its results.json")
    report.set_defaults(func=cmd_report)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure a user can trigger gets a clear line
        from racelab.runtime.osdeps import MissingDependency
        from racelab.runtime.procs import StartError
        from racelab.runtime.select import RuntimeChoiceError
        from racelab.settings import SettingsError
        from racelab.strategies import UnknownStrategy

        if isinstance(exc, (MissingDependency, StartError, RuntimeChoiceError, SettingsError, UnknownStrategy)):
            print(f"racelab: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
