"""The native runtime: the lab's topology as local processes on 127.0.0.1, under supervisord.

Postgres, Redis and nginx come from the OS packages; gunicorn and Locust from the project's
virtualenv. Each service is one supervisord program (see ``supervisor.py``): supervisord restarts
whatever dies, and rotates every service's log. ``up`` starts the programs one by one, each once
its port is free, and waits until each answers; ``down`` stops them and supervisord itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from racelab.runtime import homes, legacy, osdeps, procs
from racelab.runtime.procs import StartError
from racelab.runtime.services import Service, ServicePrograms
from racelab.runtime.services import http_ok as http_ok  # the docker runtime's readiness check too
from racelab.runtime.services import render as render
from racelab.runtime.supervisor import REAPER, SERVICE_LOG_BOUND_MB, Supervisor, daemon_env


class NativeRuntime(ServicePrograms):
    name = "native"

    def __init__(self, out: Callable[[str], None] = print) -> None:
        super().__init__(out)
        self.supervisor = Supervisor(self.run)
        self.lab_path = self.run / "lab.json"

    # --- commands --------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One ``up`` or ``down`` at a time per run folder."""
        self.run.mkdir(parents=True, exist_ok=True)
        with open(self.run / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def running(self) -> bool:
        return self.supervisor.running() or legacy.running(self.run)

    def up(self) -> None:
        self.load_config()
        binaries = osdeps.ensure(self.out)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.out(f"racelab native runtime: {self.shape()}, run state in {self.run}")
        with self.locked():
            legacy.stop(self.run, self.out)
            wanted = self.services(binaries)
            for svc in wanted:
                if svc.prepare:
                    svc.prepare()
            self.write_lab(wanted)
            self.supervisor.write_config([svc.program for svc in wanted])
            fresh: set[str] = set()
            if not self.supervisor.running():
                pid = self.supervisor.start_daemon(daemon_env())
                self.out(
                    f"  {'supervisord':<12} started (pid {pid}): restarts what stops; logs in {self.logs}, "
                    f"at most {SERVICE_LOG_BOUND_MB} MB per service"
                )
            else:
                fresh = self.apply_changes(wanted)
            for svc in wanted:
                self.bring_up(svc, restart=svc.name in fresh)
        self.out(
            f"\nThe lab is up.\n"
            f"  lab API (nginx) {self.lab_url}\n"
            f"  Locust web UI   http://127.0.0.1:{self.stack.locust_port}\n"
            f"Try:  curl -s -X POST {self.lab_url}/api/counter/db-thread-lock/next\n"
            f"Stop: make down"
        )

    def apply_changes(self, wanted: list[Service]) -> set[str]:
        """supervisorctl update: drop the programs no longer wanted, replace the changed ones.
        Returns the names that were changed (their programs are stopped and added anew)."""
        added, changed, removed = self.supervisor.reread()
        order = {svc.name: i for i, svc in enumerate(wanted)}
        # Replicas no longer wanted (REPLICAS went down) first, newest first; all stop at once.
        removed.sort(key=lambda n: (order.get(n, len(order)), n), reverse=True)
        changed.sort(key=lambda n: order.get(n, -1))
        pids = self.supervisor.stop_many(removed + changed)
        for name in removed:
            self.supervisor.call("removeProcessGroup", name)
            self.out(f"  {name:<12} stopped" + (f" (pid {pids[name]})" if pids[name] else ""))
        for name in changed:
            if name in order:
                self.out(f"  {name:<12} configuration changed: restarting")
            self.supervisor.call("removeProcessGroup", name)
        for name in added + changed:
            self.supervisor.add(name)  # the reaper starts with it (autostart); services wait below
        return set(changed)

    def bring_up(self, svc: Service, restart: bool) -> None:
        info = self.supervisor.state(svc.name)
        state = info["statename"]
        if state in ("RUNNING", "STARTING") and not restart and procs.answers(svc.ready):
            state = "RUNNING"  # STARTING: spawned less than startsecs ago, by an up just before
        if state == "RUNNING" and not restart:
            if not procs.wait_until(svc.ready, svc.timeout):
                raise StartError(f"{svc.name} runs (pid {info['pid']}) but does not answer; {self.log_hint(svc)}")
            self.out(f"  {svc.name:<12} already running (pid {info['pid']}, port {svc.port})")
            if svc.after_ready:
                svc.after_ready()  # idempotent: repairs a setup that an earlier run cut short
            return
        if state == "BACKOFF":  # failing to start: begin again, with a fresh count of tries
            self.supervisor.stop(svc.name)
        if state != "STARTING":
            bound = [(svc.port, svc.port_var)] if svc.listens else []
            for port, variable in [*bound, *svc.other_ports]:
                if procs.port_in_use(port):
                    who = procs.listener(port)
                    raise StartError(
                        f"port {port} on 127.0.0.1 (for {svc.name}) is already in use by another program"
                        f"{f' ({who})' if who else ''}. "
                        f"Stop that program, or choose another port: {variable}=<port> make up"
                    )
            if svc.before_start:
                svc.before_start()
        started = time.monotonic()
        if state != "STARTING":
            self.supervisor.start(svc.name)
        self.wait_ready(svc)
        if svc.listens and not procs.accepts(svc.port):  # the bind is checked, not assumed
            raise StartError(f"{svc.name} is running but nothing accepts on 127.0.0.1:{svc.port}")
        if svc.after_ready:
            svc.after_ready()
        pid = self.supervisor.state(svc.name)["pid"]
        where = f"on 127.0.0.1:{svc.port}" if svc.listens else f"(talks to 127.0.0.1:{svc.port})"
        self.out(f"  {svc.name:<12} ready {where} (pid {pid}, {time.monotonic() - started:.1f}s)")

    def wait_ready(self, svc: Service) -> None:
        deadline = time.monotonic() + svc.timeout
        while time.monotonic() < deadline:
            if procs.answers(svc.ready):
                return
            state = self.supervisor.state(svc.name)
            if state["statename"] in ("BACKOFF", "FATAL", "EXITED", "STOPPED"):
                # It exited while starting: stop supervisord's retries, and say why.
                self.supervisor.stop(svc.name)
                raise StartError(f"{svc.name} exited while starting ({state['statename']}); {self.log_hint(svc)}")
            time.sleep(0.1)
        raise StartError(f"{svc.name} was not ready after {svc.timeout:.0f}s; {self.log_hint(svc)}")

    def log_hint(self, svc: Service) -> str:
        log = self.logs / f"{svc.name}.log"
        hint = f"last lines of {log}:\n{procs.tail(log)}"
        if svc.name == "postgres":
            hint += f"\n(its data: {svc.program.directory / 'data'}; make clean deletes it, make up starts afresh)"
        return hint

    def write_lab(self, wanted: list[Service]) -> None:
        """What ``status`` shows besides supervisord's own view: the shape, the ports, the data."""
        postgres = next(svc for svc in wanted if svc.name == "postgres")
        lab = {
            "runtime": self.name,
            "shape": self.shape(),
            "postgres_data": str(postgres.program.directory / "data"),
            # None: a client only (the queue worker), with no port of its own to check.
            "services": {svc.name: svc.port if svc.listens else None for svc in wanted},
        }
        self.lab_path.write_text(json.dumps(lab, indent=2) + "\n")

    def read_lab(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.lab_path.read_text()))
        except (OSError, ValueError):
            return {}

    def down(self) -> None:
        if not self.run.exists():
            self.out("nothing to stop: the native runtime has no running services")
            return
        with self.locked():
            stopped_any = legacy.stop(self.run, self.out)
            if self.supervisor.running():
                self.stop_all()
                stopped_any = True
            self.lab_path.unlink(missing_ok=True)
        self.out("the lab is down" if stopped_any else "nothing to stop: the native runtime has no running services")

    def stop_all(self) -> None:
        """Stop every program, last started first (all replicas at once), then supervisord; then
        make sure that nothing of their process groups is left (gunicorn workers, Postgres
        backends, nginx workers)."""
        info = self.supervisor.info()
        info.pop(REAPER, None)  # stopped last, by supervisord's shutdown
        order = list(self.read_lab().get("services", {}))
        kinds = [re.sub(r"-\d+$", "", n) for n in order]
        kind_rank = {kind: kinds.index(kind) for kind in kinds}
        tiers: dict[int, list[str]] = {}
        for name in info:
            tiers.setdefault(kind_rank.get(re.sub(r"-\d+$", "", name), len(kinds)), []).append(name)
        groups = [int(p["pid"]) for p in info.values() if p["pid"]]
        for rank in sorted(tiers, reverse=True):
            names = sorted(tiers[rank], reverse=True)
            for name, pid in self.supervisor.stop_many(names).items():
                if pid:
                    self.out(f"  {name:<12} stopped (pid {pid})")
        self.supervisor.shutdown()
        procs.kill_groups(groups)

    def clean(self) -> None:
        """``make clean``: the run folder, and what it keeps outside (Postgres's data, as root)."""
        if self.running():
            self.down()
        for folder in homes.outside_folders(self.run):
            shutil.rmtree(folder)
            self.out(f"deleted {folder}")
        if not self.run.exists():
            return
        # The default run folder also holds the test suites' (.run/test...): a lab that runs there
        # keeps its folder, or it could no longer be stopped.
        live = {d for d in self.run.iterdir() if d.is_dir() and NativeRuntime.runs_in(d)}
        for entry in self.run.iterdir():
            if entry in live:
                self.out(f"kept {entry}: a lab runs there (RUN_DIR={entry} make down)")
            elif entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        if not live:
            self.run.rmdir()
        self.out(f"deleted {self.run}" + (" but the folders kept above" if live else ""))

    @staticmethod
    def runs_in(folder: Path) -> bool:
        return Supervisor(folder).running() or legacy.running(folder)

    # --- status and logs -------------------------------------------------------------------

    def status(self) -> int:
        from racelab.runtime.status import show

        return show(self)

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None:
        files = sorted(self.logs.glob("*.log")) if self.logs.exists() else []
        if service:
            files = [f for f in files if f.stem == service or f.stem.startswith(f"{service}-")]
        if not files:
            self.out("no logs yet (make up first)" if not service else f"no log for {service!r} in {self.logs}")
            return
        # Python ignores SIGPIPE and tail would inherit that: let `make logs | head` end tail quietly.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        # -F: follow by name, across supervisord's rotations.
        argv = ["tail", "-n", str(lines), *(["-F"] if follow else []), *map(str, files)]
        os.execvp("tail", argv)
