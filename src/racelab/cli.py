"""The lab's command line; the Makefile's targets are one line each over these commands."""

from __future__ import annotations

import argparse
import io
import os
import sys
from typing import TextIO

from racelab import scenarios
from racelab.deploy import kubernetes
from racelab.engine.modes import DEFAULT_MODE, MODES
from racelab.topology import TOPOLOGIES


def cmd_up(args: argparse.Namespace) -> int:
    from racelab.runtime.select import choose

    if args.topology:
        # The runtimes read TOPOLOGY like every other setting; only what it changes restarts.
        os.environ["TOPOLOGY"] = args.topology
    choose().up()
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from racelab.runtime.select import choose

    runtime = choose()
    runtime.down()
    if args.clean:
        # make clean: the run folder too, and what the native runtime keeps outside of it
        # (Postgres's data when its user cannot reach the run folder), whichever runtime ran.
        from racelab.runtime.native import NativeRuntime

        (runtime if isinstance(runtime, NativeRuntime) else NativeRuntime()).clean()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from racelab.runtime.select import choose

    return choose().status()


def cmd_logs(args: argparse.Namespace) -> int:
    from racelab.runtime.select import choose

    choose().logs_cmd(args.service, args.follow, args.lines)
    return 0


def cmd_strategies(args: argparse.Namespace) -> int:
    """Every scenario's strategies and the verdict each topology should give (derived, not typed)."""
    if args.markdown:
        for scenario in scenarios.scenarios().values():
            print(f"### {scenario.name}\n")
            print(f"| strategy | protection | {' | '.join(TOPOLOGIES)} | what it does |")
            print(f"|---|---|{'---|' * len(TOPOLOGIES)}---|")
            for strategy in scenario.strategies.values():
                protection = strategy.protection if strategy.guard is None else f"guard: {strategy.guard.name}"
                cells = " | ".join(strategy.expected(t.scope) for t in TOPOLOGIES.values())
                print(f"| `{strategy.name}` | {protection} | {cells} | {strategy.summary} |")
            print()
        return 0
    width = max(len(s.name) for s in scenarios.all_strategies())
    for scenario in scenarios.scenarios().values():
        print(f"{scenario.name}: {scenario.question}")
        head = " ".join(f"{t:<{max(9, len(t))}}" for t in TOPOLOGIES)
        print(f"  {'strategy':<{width}} {'store':<9} {'protection':<10} {head} summary")
        for strategy in scenario.strategies.values():
            cells = " ".join(f"{strategy.expected(t.scope):<{max(9, len(t.name))}}" for t in TOPOLOGIES.values())
            name, store, protection = strategy.name, strategy.store.name, strategy.protection
            print(f"  {name:<{width}} {store:<9} {protection:<10} {cells} {strategy.summary}")
        print()
    return 0


def cmd_burst(args: argparse.Namespace) -> int:
    """Reset, fire synchronised bursts at each chosen strategy, and print the computed verdicts.

    Exit status: 0 when every verdict is the expected one, 1 when one differs (a safe strategy
    leaked, or an unsafe one hid its race), 2 when one could not be reached (unknown) or the lab
    did not answer.
    """
    from racelab.engine.burst import run
    from racelab.engine.client import LabClient, LabError
    from racelab.engine.evidence import describe_evidence
    from racelab.engine.judge import exit_status
    from racelab.engine.modes import ModeError
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root
    from racelab.settings import StackSettings

    env = envfile.load(project_root())
    stack = StackSettings.from_env(env)
    url = args.url or f"http://127.0.0.1:{stack.nginx_port}"
    h2_url = args.h2_url or (None if args.url else f"http://127.0.0.1:{stack.nginx_h2_port}")
    client = LabClient(url, env.get("LAB_TOKEN", ""), h2_url=h2_url)
    chosen = scenarios.resolve(args.strategy)
    try:
        declared = client.declared_scope()
    except (LabError, OSError) as exc:
        print(f"racelab burst: the lab does not answer at {url}: {exc}\n(is it up? make up)", file=sys.stderr)
        return 2
    width = max(len(s.key) for s in chosen)
    judgements = []
    for strategy in chosen:
        try:
            experiment = run(
                client, strategy, args.callers, args.rounds, args.race_window_ms, declared=declared, mode=args.mode
            )
        except ModeError as exc:
            print(f"racelab burst: {exc}", file=sys.stderr)
            return 2
        except (LabError, OSError) as exc:
            print(f"{strategy.key}: could not run against {url}: {exc}\n(is the lab up? make up)", file=sys.stderr)
            return 2
        j = experiment.judgement
        c = j.check
        anomalies = " ".join(f"{name}={n}" for name, n in c.anomalies.items())
        print(
            f"{strategy.key:<{width}}  {j.verdict:<7} (expected {j.expected:<5}) acknowledged={c.acknowledged} "
            f"refused={c.failed} indeterminate={c.indeterminate} {anomalies} {experiment.spreads.text()}",
            flush=True,
        )
        if args.verbose or j.verdict != "holds" or not j.matches:
            print(f"    {j.reason}")
            for example in c.evidence[:3]:
                print(f"    {describe_evidence(example)}")
        judgements.append(j)
    where = f"{declared.label} scope" if declared is not None else "scope not declared by the lab"
    matched = sum(j.matches for j in judgements)
    print(
        f"{matched}/{len(chosen)} as expected ({where}, {args.callers} callers x {args.rounds} bursts, "
        f"{args.mode} mode; spreads, first to last per burst: send at the client, arrival on the app's sockets, "
        "start in the app)"
    )
    return exit_status(judgements)


def cmd_report(args: argparse.Namespace) -> int:
    """Every scenario's strategies under every topology (QUICK=1: the configured one), into report/.

    Exit status: 0 every cell as expected, 1 a verdict differs, 2 a verdict is unknown or the
    report could not run.
    """
    from pathlib import Path

    from racelab.report import folders
    from racelab.report.results import ResultsError
    from racelab.report.runner import ReportError, make_plan, run

    try:
        if args.render:
            folder = Path(args.render)
            folders.rerender(folder)
            print(f"re-rendered {folder / 'index.html'} and {folder / 'summary.md'} from results.json")
            return 0
        plan = make_plan(
            quick=True if args.quick else None,
            topologies=_csv(args.topology),
            selectors=_csv(args.strategy),
            seconds=args.seconds,
            users=args.users,
            min_bursts=args.min_bursts,
            out_root=Path(args.out) if args.out else None,
            keep=args.keep,
            locust_html=True if args.locust_html else None,
        )
        return run(plan)
    except (ReportError, ResultsError) as exc:
        print(f"\nracelab report: {exc}", file=sys.stderr)
        return 2


def cmd_bench(args: argparse.Namespace) -> int:
    """How often the races show, the harness against wrk, the steady cost of safety: bench/latest/.

    Exit status: 0 written, 2 the lab did not answer.
    """
    from pathlib import Path

    from racelab.benchmark import runner
    from racelab.engine.client import LabClient, LabError
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root
    from racelab.settings import StackSettings

    env = envfile.load(project_root())
    stack = StackSettings.from_env(env)
    url = f"http://127.0.0.1:{stack.nginx_port}"
    client = LabClient(url, env.get("LAB_TOKEN", ""), h2_url=f"http://127.0.0.1:{stack.nginx_h2_port}")
    quick = args.quick or os.environ.get("QUICK", "") not in ("", "0")
    try:
        runner.run(client, Path(args.out) if args.out else project_root() / "bench", quick)
    except (LabError, OSError) as exc:
        print(f"racelab bench: the lab does not answer at {url}: {exc}\n(is it up? make up)", file=sys.stderr)
        return 2
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Judge every cell of a report folder again from its saved history and states.

    Exit status: 0 every verdict reproduces, 1 one differs, 2 the folder is unusable.
    """
    from pathlib import Path

    from racelab.report.check import Unusable, run

    try:
        return run(Path(args.folder))
    except Unusable as exc:
        print(f"racelab check: {exc}", file=sys.stderr)
        return 2


def cmd_isolation(args: argparse.Namespace) -> int:
    """The classic isolation anomalies at each isolation level, against the lab's Postgres.

    Exit status: 0 every cell as PostgreSQL documents, 1 a cell differs, 2 a cell is unknown or
    Postgres does not answer.
    """
    import json

    from racelab.isolation.anomalies import anomalies, anomaly
    from racelab.isolation.model import LEVELS
    from racelab.isolation.render import lines
    from racelab.isolation.runner import Unreachable, database_url, run_matrix
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root

    try:
        chosen = [anomaly(name) for name in _csv(args.anomaly) or []] or anomalies()
    except KeyError as exc:
        print(f"racelab isolation: {exc.args[0]}", file=sys.stderr)
        return 2
    wanted = _csv(args.level) or [level.replace(" ", "-") for level in LEVELS]
    unknown = [level for level in wanted if level.replace("-", " ") not in LEVELS]
    if unknown:
        valid = ", ".join(level.replace(" ", "-") for level in LEVELS)
        print(f"racelab isolation: unknown level {unknown[0]!r}; valid: {valid}", file=sys.stderr)
        return 2
    levels = tuple(level for level in LEVELS if level.replace(" ", "-") in wanted)
    try:
        results = run_matrix(database_url(envfile.load(project_root())), chosen, levels)
    except Unreachable as exc:
        print(f"racelab isolation: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
    else:
        print(f"racelab isolation: {len(chosen)} anomalies x {len(results.levels)} isolation levels, {results.server}")
        for line in lines(results, args.verbose):
            print(line)
    return results.status


def cmd_chaos(args: argparse.Namespace) -> int:
    """The safe strategies under steady load while a nemesis injects faults, one at a time.

    Exit status: 0 when no acknowledged operation was lost where the store survives the fault
    (and every strategy failed only where the model expects it), 1 otherwise, 2 when the lab does
    not answer.
    """
    from pathlib import Path

    from racelab.chaos.faults import FAULTS
    from racelab.chaos.nemesis import choose as nemesis_for
    from racelab.chaos.runner import run
    from racelab.engine.client import LabClient
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root
    from racelab.runtime.select import choose
    from racelab.settings import StackSettings

    env = envfile.load(project_root())
    url = args.url or f"http://127.0.0.1:{StackSettings.from_env(env).nginx_port}"
    faults = _csv(args.fault)
    unknown = [name for name in faults or [] if name not in FAULTS]
    if unknown:
        print(f"racelab chaos: unknown fault {unknown[0]!r}; valid: {', '.join(FAULTS)}", file=sys.stderr)
        return 2
    os.environ.setdefault("REDIS_APPENDFSYNC", env.get("REDIS_APPENDFSYNC", ""))
    out_root = Path(args.out) if args.out else project_root() / "chaos"
    client = LabClient(url, env.get("LAB_TOKEN", ""))
    return run(client, nemesis_for(choose().name), out_root, faults, args.strategy)


def _csv(raw: str | None) -> list[str] | None:
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else None


class PipeSafeStdout(io.TextIOBase):
    """stdout that outlives its reader: once the pipe closes (``racelab up | head -3``), the rest
    is thrown away and the command carries on to the end, instead of stopping half way through
    with a stack half up. (Python's "Note on SIGPIPE": point the descriptor at devnull.)"""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.closed_pipe = False

    def _lost(self) -> None:
        self.closed_pipe = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def write(self, text: str) -> int:
        if not self.closed_pipe:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self.closed_pipe:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._lost()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()


def main(argv: list[str] | None = None) -> int:
    if not isinstance(sys.stdout, PipeSafeStdout) and hasattr(sys.stdout, "fileno"):
        sys.stdout = PipeSafeStdout(sys.stdout)
    parser = argparse.ArgumentParser(prog="racelab", description="Race conditions in Flask, live.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the lab (native or docker runtime)")
    up.add_argument(
        "-t",
        "--topology",
        choices=list(TOPOLOGIES),
        help="run this topology (same as TOPOLOGY=<name>); only the services it changes restart",
    )
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop everything the lab started")
    down.add_argument("--clean", action="store_true", help="then delete the run folder and the data (make clean)")
    down.set_defaults(func=cmd_down)
    sub.add_parser("status", help="what runs, where, since when (exit 1 when a service is down)").set_defaults(
        func=cmd_status
    )
    logs = sub.add_parser("logs", help="show the services' logs")
    logs.add_argument("service", nargs="?", help="one service, e.g. app-1, nginx, postgres")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(func=cmd_logs)
    strategies = sub.add_parser("strategies", help="the strategies and their expected verdicts")
    strategies.add_argument("--markdown", action="store_true", help="as the README's tables")
    strategies.set_defaults(func=cmd_strategies)
    burst = sub.add_parser("burst", help="fire synchronised callers at a strategy and check the result")
    burst.add_argument(
        "strategy",
        nargs="?",
        default="all",
        help="all, <scenario>, <scenario>/<strategy>, or a counter strategy's bare name",
    )
    burst.add_argument("-n", "--callers", type=int, default=50)
    burst.add_argument("-r", "--rounds", type=int, default=3)
    burst.add_argument("-w", "--race-window-ms", type=int, default=None)
    burst.add_argument(
        "-m",
        "--mode",
        choices=list(MODES),
        default=DEFAULT_MODE,
        help="how a burst is sent: threads (a barrier), last-byte (one thread writes every last byte), "
        "single-packet (HTTP/2, every request's end in one packet); make burst MODE=...",
    )
    burst.add_argument("--url", help="the lab's base URL (default: nginx on 127.0.0.1)")
    burst.add_argument("--h2-url", help="nginx's HTTP/2 cleartext listener (default: NGINX_H2_PORT on 127.0.0.1)")
    burst.add_argument("-v", "--verbose", action="store_true")
    burst.set_defaults(func=cmd_burst)
    report = sub.add_parser("report", help="run every scenario's strategies under every topology; write report/<time>/")
    report.add_argument("--quick", action="store_true", help="the configured topology only (also QUICK=1)")
    report.add_argument("--topology", help="comma-separated topologies instead of all of them")
    report.add_argument(
        "--strategy", help="comma-separated selectors instead of all: counter, inventory/db-conditional, all..."
    )
    report.add_argument("--seconds", type=float, help="bursting time per cell (default 0.6)")
    report.add_argument("--users", type=int, help="users per burst (default 24)")
    report.add_argument("--min-bursts", type=int, help="bursts per cell at least (default 8)")
    report.add_argument("--out", help="folder for the reports (default: report/ in the checkout)")
    report.add_argument(
        "--keep", type=int, help="report folders to keep, this one included (also KEEP=N; default 5; 0: all)"
    )
    report.add_argument(
        "--locust-html", action="store_true", help="also Locust's HTML and CSV per cell (also LOCUST_HTML=1)"
    )
    report.add_argument("--render", metavar="FOLDER", help="only re-render FOLDER's pages from its results.json")
    report.set_defaults(func=cmd_report)
    isolation = sub.add_parser(
        "isolation", help="the classic isolation anomalies at each isolation level, live against the lab's Postgres"
    )
    isolation.add_argument("--json", action="store_true", help="print the results as JSON")
    isolation.add_argument("-v", "--verbose", action="store_true", help="every anomaly's explanation and steps")
    isolation.add_argument("--anomaly", help="comma-separated anomalies instead of all (G0, G1a, P4, G2-item...)")
    isolation.add_argument(
        "--level", help="comma-separated levels instead of all: read-committed, repeatable-read, serializable"
    )
    isolation.set_defaults(func=cmd_isolation)
    chaos = sub.add_parser("chaos", help="the safe strategies under load while a nemesis injects faults: chaos/latest/")
    chaos.add_argument("--fault", help="comma-separated faults instead of all: kill-worker, restart-redis...")
    chaos.add_argument("--strategy", default="all", help="a selector as for burst (default: all); only safe ones run")
    chaos.add_argument("--out", help="folder for the results (default: chaos/ in the checkout)")
    chaos.add_argument("--url", help="the lab's base URL (default: nginx on 127.0.0.1)")
    chaos.set_defaults(func=cmd_chaos)
    bench = sub.add_parser(
        "bench", help="reproduction curves, the harness against wrk, the steady cost of safety: bench/latest/"
    )
    bench.add_argument("--quick", action="store_true", help="a small sample, under 2 minutes (also QUICK=1)")
    bench.add_argument("--out", help="folder for the runs (default: bench/ in the checkout)")
    bench.set_defaults(func=cmd_bench)
    check = sub.add_parser("check", help="judge a report folder's saved histories again (exit 1: a verdict differs)")
    check.add_argument("folder", help="a report folder, e.g. report/latest")
    check.set_defaults(func=cmd_check)
    kubernetes.add_commands(sub)
    args = parser.parse_args(argv)
    status: int | None = None
    try:
        status = args.func(args)
        sys.stdout.flush()  # here, where a closed pipe can be told apart from a failure
        return status
    except BrokenPipeError:
        # The reader went away (`make ps | head -3`): not an error of ours, and no traceback.
        # Python's docs ("Note on SIGPIPE"): point stdout at devnull so the flush at exit is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return status if status is not None else 141  # 141 = 128 + SIGPIPE, as a shell reports it
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure a user can trigger gets a clear line; others re-raised
        from racelab.core.scenario import UnknownName
        from racelab.runtime.osdeps import MissingDependency
        from racelab.runtime.procs import StartError
        from racelab.runtime.select import RuntimeChoiceError
        from racelab.settings import SettingsError

        if isinstance(exc, (MissingDependency, StartError, RuntimeChoiceError, SettingsError, UnknownName)):
            print(f"racelab: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
