"""``make ps`` for the native runtime: the shape, where things are, and each service as supervisord
sees it plus whether its port answers.

Exit status: 0 when every service answers or nothing runs; 1 when a started service is down.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from racelab.runtime import legacy, procs
from racelab.runtime.supervisor import REAPER, Supervisor


class NativeRuntime(Protocol):
    """What ``make ps`` reads of the native runtime (kept as a protocol: the runtime calls us)."""

    run: Path
    logs: Path
    supervisor: Supervisor
    out: Callable[[str], None]

    def read_lab(self) -> dict[str, Any]: ...


def uptime(seconds: int) -> str:
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours}:{minutes:02}:{secs:02}"


def show(runtime: NativeRuntime) -> int:
    lines: list[str] = []
    status = _collect(runtime, lines.append)
    # One write: `make ps | head -3` reads what it wants before anything else is written.
    runtime.out("\n".join(lines))
    return status


def _collect(runtime: NativeRuntime, out: Callable[[str], None]) -> int:
    run, supervisor = runtime.run, runtime.supervisor
    lab = runtime.read_lab()
    ports: dict[str, int | None] = dict(lab.get("services", {}))
    if not supervisor.running():
        if legacy.running(run):
            out(f"a lab started by an older racelab runs from {run} (state.json): make down stops it")
            return 0
        answering = [f"{name} ({port})" for name, port in ports.items() if port is not None and procs.accepts(port)]
        if answering:
            out(f"supervisord is not running for {run}, yet ports of this lab answer: {', '.join(answering)}")
            return 1
        out("the native runtime is not running (make up starts it)")
        return 0  # nothing is broken: a non-zero status means a started service went down
    info = supervisor.info()
    reaper = info.pop(REAPER, None)
    out(f"racelab native runtime: {lab.get('shape', '(shape unknown: make up writes it)')}")
    out(f"  run folder     {run} (supervisord pid {supervisor.call('getPID')}, logs in {runtime.logs})")
    if reaper and reaper["statename"] != "RUNNING":
        out(f"  reaper         {reaper['statename']}: a killed service's leftovers may delay its restart")
    out(f"  postgres data  {lab.get('postgres_data', '(unknown)')}")
    out("")
    out(f"{'service':<12} {'state':<22} {'pid':>7} {'port':>6}  uptime")
    down = 0
    for name in [*ports, *sorted(set(info) - set(ports))]:
        process = info.get(name)
        port = ports.get(name)
        state = process["statename"] if process else "NOT LOADED"
        # STARTING: spawned less than a second ago (supervisord's startsecs); serving if it answers.
        running = state in ("RUNNING", "STARTING") and process is not None
        client_only = name in ports and port is None  # listens on nothing (the queue worker)
        answers = running if client_only else port is not None and procs.accepts(port)
        down += not (running and answers)
        since = uptime(int(process["now"]) - int(process["start"])) if running and process else "-"
        pid = str(process["pid"]) if process and process["pid"] else "-"
        label = state if client_only else f"{state}, {'answers' if answers else 'no answer'}"
        out(f"{name:<12} {label:<22} {pid:>7} {port if port else '-':>6}  {since}")
    return 1 if down else 0
