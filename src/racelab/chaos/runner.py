"""``racelab chaos``: each fault in turn, under steady load, judged; results into ``chaos/<time>/``.

For every fault: wait until the lab answers, reset every scenario, read each strategy's state,
start the load, inject and heal the fault, keep the load on until every replica has served again
(at most :data:`RECOVERY_LIMIT_S`), stop, read the states again, and judge each strategy's history
with its scenario's checker. Exit status 0 when no strategy failed but where the model expects it
(a lease under a pause) or where the fault destroyed its store's data, and every error was JSON;
1 otherwise; 2 when the lab does not answer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.chaos import checks
from racelab.chaos.faults import FAULTS, PAUSE_CALL_TIMEOUT_S, PAUSE_CLIENTS, Fault, Plan
from racelab.chaos.load import Load
from racelab.chaos.nemesis import PAUSE_RACE_WINDOW_MS, Nemesis, NemesisError
from racelab.chaos.results import ChaosResults, FaultResult, StrategyResult, seconds, write
from racelab.core.guards import LOCK_TTL_S
from racelab.core.history import write_jsonl
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, LabError
from racelab.report.folders import new_folder

WARMUP_S = 2.0
RECOVERY_LIMIT_S = 20.0
SETTLE_S = 1.0  # load after every replica is back, so that the final state has seen it serve
READY_LIMIT_S = 60.0

Print = Callable[[str], None]


def chosen_strategies(selector: str, scope: Any) -> tuple[list[Strategy], list[str]]:
    """The safe strategies (expected to hold at the lab's scope); those whose calls share a
    session (a shopper's cart) are left out, and named."""
    run, skipped = [], []
    for strategy in scenarios.resolve(selector):
        if strategy.expected(scope) != "holds":
            continue
        if scenarios.scenario(strategy.scenario).session_start:
            skipped.append(strategy.key)
        else:
            run.append(strategy)
    return run, skipped


def lease_plan(strategies: list[Strategy], load: Load, window_ms: int = PAUSE_RACE_WINDOW_MS) -> Plan:
    leases, ttl = {}, LOCK_TTL_S
    for s in strategies:
        if s.guard is not None and s.guard.lease:
            call = scenarios.scenario(s.scenario).workload.call(None, 0, 0)
            leases[s.key] = f"racelab:lock:{s.key}:{s.lock_keys(call.op, call.args)[0]}"
            ttl = float(getattr(s.guard, "ttl_s", LOCK_TTL_S))

    def window(key: str | None) -> None:
        load.race_window_ms.clear()
        if key is not None:
            load.race_window_ms[key] = window_ms

    def quiet(key: str, on: bool) -> None:
        if on:
            load.held.add(key)
        else:
            load.held.discard(key)

    return Plan(leases, ttl, window=window, quiet=quiet, window_ms=window_ms)


def wait_ready(client: LabClient) -> bool:
    """Three healthy answers in a row through nginx."""
    deadline, good = time.monotonic() + READY_LIMIT_S, 0
    while time.monotonic() < deadline and good < 3:
        try:
            client.request("GET", "/healthz")
            good += 1
        except (LabError, OSError):
            good = 0
        time.sleep(0.2)
    return good >= 3


def read_states(client: LabClient, strategies: list[Strategy], limit_s: float) -> dict[str, dict[str, Any] | None]:
    deadline = time.monotonic() + limit_s
    states: dict[str, dict[str, Any] | None] = {}
    for s in strategies:
        while True:
            try:
                states[s.key] = client.state(s)
                break
            except (LabError, OSError):
                if time.monotonic() > deadline:
                    states[s.key] = None
                    break
                time.sleep(0.2)
    return states


def judge(
    fault: Fault,
    strategies: list[Strategy],
    load: Load,
    initial: dict[str, Any],
    final: dict[str, Any],
    destroyed: frozenset[str],
) -> list[StrategyResult]:
    found = []
    for s in strategies:
        history = load.histories.get(s.key, [])
        check = scenarios.scenario(s.scenario).check(history, initial.get(s.key), final.get(s.key))
        o = checks.outcome(s, fault.name, check, destroyed)
        found.append(
            StrategyResult(
                s.key, s.store.name, o.expected, o.verdict, o.label, o.ok, check.acknowledged,
                check.indeterminate, o.lost, dict(check.anomalies), check.reason,
            )
        )  # fmt: skip
    return found


def run_fault(
    fault: Fault,
    nemesis: Nemesis,
    client: LabClient,
    strategies: list[Strategy],
    folder: Path,
    destroyed: frozenset[str],
    out: Print,
) -> FaultResult:
    result = FaultResult(fault.name, fault.description, destroys=sorted(destroyed))
    if not wait_ready(client):
        result.skipped = f"the lab did not answer /healthz within {READY_LIMIT_S:g} s before the fault"
        return result
    client.reset()
    initial = read_states(client, strategies, 10)
    pausing = fault.name == "pause-lock-holder"
    load = Load(client, strategies, PAUSE_CLIENTS, PAUSE_CALL_TIMEOUT_S) if pausing else Load(client, strategies)
    plan = lease_plan(strategies, load, nemesis.pause_race_window_ms)
    load.start()
    try:
        time.sleep(WARMUP_S)
        try:
            window = fault.run(nemesis, plan)
        except NemesisError as exc:
            result.skipped = str(exc)
            return result
        result.did = window.did
        for line in window.did:
            out(f"    {line}")
        deadline = time.time() + RECOVERY_LIMIT_S
        while time.time() < deadline:
            snapshot = {key: list(ops) for key, ops in list(load.histories.items())}
            hurt = checks.affected(snapshot, window.start, window.end)
            by = checks.replica_of if fault.name.startswith("kill-") else checks.worker_of
            back, _ = checks.recovery([op for key in hurt for op in snapshot[key]], window.start, window.end, by)
            if back is not None:
                break
            time.sleep(0.2)
        time.sleep(SETTLE_S)
    finally:
        load.stop()
    final = read_states(client, strategies, RECOVERY_LIMIT_S)
    history = [op for ops in load.histories.values() for op in ops]
    hurt = checks.affected(load.histories, window.start, window.end)
    result.affected = len(hurt)
    hurt_history = [op for key in hurt for op in load.histories[key]]
    result.recovery_s, result.recovery_by_replica = checks.recovery(hurt_history, window.start, window.end)
    if not fault.name.startswith("kill-"):
        result.workers_recovery_s, _ = checks.recovery(hurt_history, window.start, window.end, checks.worker_of)
    result.errors = checks.errors_by_status(history)
    result.not_json = checks.not_json(result.errors)
    result.longest_wait_s = round(checks.longest_wait(history, time.time()), 3)
    result.strategies = judge(fault, strategies, load, initial, final, destroyed)
    result.acknowledged = sum(s.acknowledged for s in result.strategies)
    result.indeterminate = sum(s.indeterminate for s in result.strategies)
    # What must be 0: the strategies expected to hold, where the fault leaves their store whole.
    result.lost = sum(s.lost for s in result.strategies if s.store not in destroyed and s.expected == "holds")
    save(folder / fault.name, strategies, load, initial, final)
    return result


def save(folder: Path, strategies: list[Strategy], load: Load, initial: dict[str, Any], final: dict[str, Any]) -> None:
    """Each strategy's history and states, so that a checker fix can judge the run again."""
    import json

    for s in strategies:
        where = folder / s.scenario
        where.mkdir(parents=True, exist_ok=True)
        write_jsonl(where / f"{s.name}.jsonl.gz", load.histories.get(s.key, []))
        states = {"initial": initial.get(s.key), "final": final.get(s.key)}
        (where / f"{s.name}.states.json").write_text(json.dumps(states) + "\n", encoding="utf-8")


def run(
    client: LabClient,
    nemesis: Nemesis,
    out_root: Path,
    faults: list[str] | None = None,
    selector: str = "all",
    out: Print = print,
) -> int:
    try:
        scope = client.declared_scope()
    except (LabError, OSError) as exc:
        out(f"racelab chaos: the lab does not answer at {client.base_url}: {exc} (is it up? make up)")
        return 2
    strategies, skipped = chosen_strategies(selector, scope)
    chosen = [FAULTS[name] for name in faults] if faults else list(FAULTS.values())
    appendfsync = os.environ.get("REDIS_APPENDFSYNC", "").strip() or "everysec"
    results = ChaosResults(
        datetime.now().isoformat(timespec="seconds"),
        nemesis.runtime,
        scope.label if scope else "unknown",
        {"appendonly": "yes", "appendfsync": appendfsync},
        skipped_strategies=skipped,
    )
    folder = new_folder(out_root)
    out(
        f"racelab chaos: {len(strategies)} safe strategies x {len(chosen)} faults, {nemesis.runtime} runtime, "
        f"{results.scope} scope, Redis appendfsync={appendfsync}; writing {folder}"
    )
    for i, fault in enumerate(chosen, start=1):
        out(f"[{i}/{len(chosen)}] {fault.name}: {fault.description}")
        destroyed = checks.destroys(fault.name, True, appendfsync, compose=nemesis.runtime == "docker")
        result = run_fault(fault, nemesis, client, strategies, folder, destroyed, out)
        results.faults.append(result)
        if result.skipped:
            out(f"    skipped: {result.skipped}")
            continue
        out(
            f"    acknowledged={result.acknowledged} indeterminate={result.indeterminate} lost={result.lost} "
            f"not_json={result.not_json} longest_wait={result.longest_wait_s:.2f}s "
            f"recovery={seconds(result.recovery_s)}"
            + ("" if fault.name.startswith("kill-") else f" every worker={seconds(result.workers_recovery_s)}")
        )
        for s in result.strategies:
            if s.verdict != "holds" or s.expected != "holds" or not s.ok:
                anomalies = " ".join(f"{k}={v}" for k, v in s.anomalies.items() if v)
                out(f"    {s.key}: {s.outcome} {anomalies}")
    write(results, folder)
    out(f"results: {folder / 'summary.md'} and results.json; also {out_root / 'latest'}")
    out("no acknowledged operation lost where the store survives" if results.status == 0 else "FAILED: see above")
    return results.status
