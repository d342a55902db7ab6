"""Connects the bench to Locust's events, for a local run and for a master with workers alike.

==================  =========================================================================
event               what happens
==================  =========================================================================
init                the board (local or master), the web UI's tabs, the burst conductor
test_start          local/master: reset each scenario involved, read the states, start live readings;
                    workers: read the run's parameters (they come with the spawn message)
report_to_master    worker: ship everything recorded since the last report (every 3 s,
                    and at once when a live reading asks: ``racelab_flush`` / ``racelab_delta``)
worker_report       master: merge it; a held-back live reading is resolved once every worker
                    has answered its ``racelab_flush``
test_stopping       local/workers: stop sending and wait for the answers to calls in flight,
                    before Locust stops the users (a call cut off is indeterminate)
test_stop           local: final verdicts;
                    master: ask every worker to do the same and send its last records
                    (``racelab_drain`` / ``racelab_final``), then final verdicts
quitting            master: final verdicts with whatever arrived, if not done yet
reset_stats         forget the rows of earlier runs
==================  =========================================================================

The last records travel as custom messages rather than in the periodic report: a master that
quits fires ``test_stop`` while its workers still run, and stops listening 0.5 s later.
"""

from __future__ import annotations

import logging
import math
import os
from typing import Any

import gevent
from locust.runners import STATE_INIT, STATE_RUNNING, STATE_SPAWNING, LocalRunner, MasterRunner, WorkerRunner

from racelab.bench import access, options, webui
from racelab.bench.board import Board
from racelab.bench.bursts import Conductor, join_conductor
from racelab.bench.node import BenchNode
from racelab.engine.client import LabClient, LabError
from racelab.topology import Scope

log = logging.getLogger("racelab")
LIVE_INTERVAL_S = 1.5
DRAIN_TIMEOUT_S = 5.0  # how long answers to calls already sent are waited for
FINAL_TIMEOUT_S = 8.0  # how long the master waits for every worker's last records
DRAIN, FINAL = "racelab_drain", "racelab_final"
FLUSH, DELTA = "racelab_flush", "racelab_delta"


def board_of(environment: Any) -> Board | None:
    return getattr(environment, "racelab_board", None)


def lab_of(environment: Any) -> LabClient:
    """The engine's client for the lab Locust hammers; LAB_TOKEN (from the environment) lets it reset."""
    return LabClient(environment.host or "", os.environ.get("LAB_TOKEN", ""))


def declared_scope(lab: LabClient, notes: list[str]) -> Scope | None:
    try:
        return lab.declared_scope()
    except (LabError, OSError, KeyError, ValueError) as exc:
        notes.append(f"could not ask the lab how it runs ({exc}): expected verdicts follow who answered")
        return None


def active_workers(runner: Any, starting: bool = False) -> set[str]:
    """Workers taking part in the run; at its start they are still "ready" (Locust's STATE_INIT)."""
    states = (STATE_INIT, STATE_RUNNING, STATE_SPAWNING) if starting else (STATE_RUNNING, STATE_SPAWNING)
    return {n.id for n in runner.clients.values() if n.state in states}


# --- init -----------------------------------------------------------------------------------


def on_init(environment: Any, runner: Any = None, web_ui: Any = None, **_kw: Any) -> None:
    node = BenchNode.of(environment)
    if isinstance(runner, WorkerRunner):
        join_conductor(runner, node.gate)
        runner.register_message(DRAIN, lambda environment=None, msg=None, **_: send_final(environment, msg), True)
        runner.register_message(FLUSH, lambda environment=None, msg=None, **_: send_delta(environment, msg))
        return
    # A local run shares one ledger between the users and the board; a master merges reports.
    environment.racelab_board = Board(node.ledger if isinstance(runner, LocalRunner) else None)
    environment.racelab_participants = set()
    if isinstance(runner, MasterRunner):
        environment.racelab_conductor = Conductor(runner)
        runner.register_message(FINAL, lambda environment=None, msg=None, **_: receive_final(environment, msg))
        runner.register_message(DELTA, lambda environment=None, msg=None, **_: receive_delta(environment, msg))
    if web_ui is not None:
        access.install(web_ui)
        webui.install(web_ui, environment.racelab_board)


# --- a run starts -----------------------------------------------------------------------------


def on_test_start(environment: Any, **_kw: Any) -> None:
    runner, opts = environment.runner, environment.parsed_options
    node = BenchNode.of(environment)
    if isinstance(runner, WorkerRunner):
        node.configure(opts)
        return
    problems = options.check(opts)
    for problem in problems:
        log.error("racelab: %s", problem)
    board = board_of(environment)
    if board is None:
        return
    workers = active_workers(runner, starting=True) if isinstance(runner, MasterRunner) else set()
    node.configure(opts, max(1, len(workers)))
    lab = lab_of(environment)
    declared = declared_scope(lab, problems)
    board.begin(node.targets, lab, declared, node.burst_size, int(runner.target_user_count or 0), problems)
    node.join_sessions(board.sessions)
    for note in board.warnings():
        log.warning("racelab: %s", note)
    environment.racelab_participants = set(workers)
    if isinstance(runner, MasterRunner):
        # Custom options travel to the workers with the spawn message, which follows this event.
        opts.racelab_run = board.run_id
        opts.racelab_node_burst = math.ceil(node.burst_size / max(1, len(workers)))
        opts.racelab_sessions = board.sessions
        environment.racelab_conductor.reset()
    gevent.spawn(live_readings, environment, board)


def live_readings(environment: Any, board: Board) -> None:
    runner, run_id = environment.runner, board.run_id
    while True:
        gevent.sleep(LIVE_INTERVAL_S)
        if board.finished or board.run_id != run_id or runner.state not in (STATE_SPAWNING, STATE_RUNNING):
            return
        workers = active_workers(runner) if isinstance(runner, MasterRunner) else None
        board.users = int(runner.target_user_count or 0)  # the UI can change it while a run goes on
        reading = board.take_reading(lab_of(environment), workers)
        for node_id in workers or ():
            # Ask for the records now rather than wait for the next 3-second report: the answer
            # surely includes every call sent before the reading ended, and the fewer calls sent
            # since, the fewer count as unanswered in it.
            runner.send_message(FLUSH, {"run": run_id, "reading": reading.number}, client_id=node_id)


# --- while it runs (distributed) ------------------------------------------------------------


def on_report_to_master(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
    node = BenchNode.of(_environments["worker"]) if "worker" in _environments else None
    if node is not None and node.run_id is not None:
        data["racelab"] = {"run": node.run_id, "ledger": node.ledger.drain()}


def send_delta(environment: Any, msg: Any) -> None:
    node = BenchNode.of(environment)
    if node.run_id is not None and node.run_id == msg.data.get("run"):
        answer = {"run": node.run_id, "reading": msg.data.get("reading"), "ledger": node.ledger.drain()}
        environment.runner.send_message(DELTA, answer)


def receive_delta(environment: Any, msg: Any) -> None:
    on_worker_report(msg.node_id, {"racelab": msg.data})


def on_worker_report(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
    environment = _environments.get("master")
    board = board_of(environment) if environment is not None else None
    part = data.get("racelab")
    if not part or environment is None or board is None or part.get("run") != board.run_id:
        return  # another run's leftovers, or nothing recorded yet
    board.ledger.merge(part["ledger"], client_id)
    environment.racelab_participants.add(client_id)
    board.worker_reported(client_id, part.get("reading"))


# --- a run ends -------------------------------------------------------------------------------


def on_test_stopping(environment: Any, **_kw: Any) -> None:
    if not isinstance(environment.runner, MasterRunner):
        BenchNode.of(environment).quiesce(DRAIN_TIMEOUT_S)


def on_test_stop(environment: Any, **_kw: Any) -> None:
    runner = environment.runner
    board = board_of(environment)
    if isinstance(runner, WorkerRunner) or board is None or board.finished:
        return
    if isinstance(runner, MasterRunner):
        collect_finals(environment, board)
    else:
        BenchNode.of(environment).quiesce(DRAIN_TIMEOUT_S)
    finish(environment, board)


def collect_finals(environment: Any, board: Board) -> None:
    """Ask every worker of this run for its last records and wait for them (the loop keeps running)."""
    runner = environment.runner
    expected = set(environment.racelab_participants)
    for node_id in expected:
        runner.send_message(DRAIN, {"run": board.run_id}, client_id=node_id)
    waited = 0.0
    while not expected <= board.final_from and waited < FINAL_TIMEOUT_S:
        gevent.sleep(0.05)
        waited += 0.05
    missing = expected - board.final_from
    if missing:
        board.notes.append(f"{len(missing)} worker(s) sent no last records; their unreported calls are missing")


def send_final(environment: Any, msg: Any) -> None:
    """Worker: stop sending, wait for the answers to calls in flight, ship everything left."""
    node = BenchNode.of(environment)
    if node.run_id != msg.data.get("run"):
        return
    if environment.runner.user_count:
        node.quiesce(DRAIN_TIMEOUT_S)
    environment.runner.send_message(FINAL, {"run": node.run_id, "ledger": node.ledger.drain()})


def receive_final(environment: Any, msg: Any) -> None:
    board = board_of(environment)
    if board is not None and msg.data.get("run") == board.run_id:
        board.ledger.merge(msg.data["ledger"], msg.node_id)
        board.final_from.add(msg.node_id)


def finish(environment: Any, board: Board) -> None:
    judgements = board.finish(lab_of(environment))
    for note in board.warnings():
        log.warning("racelab: %s", note)
    for key, j in judgements.items():
        c = j.check
        anomalies = " ".join(f"{name}={n}" for name, n in c.anomalies.items())
        log.info(
            "racelab verdict for %s: %s (expected %s) - %s "
            "(attempted=%d acknowledged=%d refused=%d indeterminate=%d %s)",
            key,
            j.verdict.upper(),
            j.expected,
            j.reason,
            c.attempted,
            c.acknowledged,
            c.failed,
            c.indeterminate,
            anomalies,
        )


def on_quitting(environment: Any, **_kw: Any) -> None:
    board = board_of(environment)
    if board is not None and not board.finished and board.run_id is not None:
        finish(environment, board)


def on_reset_stats(**_kw: Any) -> None:
    environment = _environments.get("master")
    board = board_of(environment) if environment is not None else None
    if board is not None:
        board.forget_earlier_runs()


# report_to_master, worker_report and reset_stats do not pass the environment: keep it from init.
_environments: dict[str, Any] = {}


def _remember(environment: Any, runner: Any = None, **_kw: Any) -> None:
    _environments["worker" if isinstance(runner, WorkerRunner) else "master"] = environment


def attach(events: Any) -> None:
    """Hook the bench onto Locust's events (call once, from the locustfile)."""
    events.init_command_line_parser.add_listener(options.add_arguments)
    events.init.add_listener(_remember)
    events.init.add_listener(on_init)
    events.test_start.add_listener(on_test_start)
    events.report_to_master.add_listener(on_report_to_master)
    events.worker_report.add_listener(on_worker_report)
    events.test_stopping.add_listener(on_test_stopping)
    events.test_stop.add_listener(on_test_stop)
    events.quitting.add_listener(on_quitting)
    events.reset_stats.add_listener(on_reset_stats)
