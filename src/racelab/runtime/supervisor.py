"""supervisord for the native runtime: one program per service, restarted when it dies (compose's
``restart: unless-stopped``), its output in a rotating log.

``make up`` writes ``<run>/supervisord.conf`` and starts supervisord, or, when it runs already,
has it re-read the file: supervisord compares each program's definition with the one it runs,
and only the programs whose definition changed are restarted (``supervisorctl update``). Every
program has ``autostart=false``: the runtime starts them itself, one at a time, so that it can
check the port first and wait until each one answers before the next.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from racelab.runtime import paths, procs
from racelab.runtime.procs import StartError

# Every log rotates at LOG_MAX_MB and keeps LOG_BACKUPS old files: at most
# LOG_MAX_MB x (1 + LOG_BACKUPS) MB per service, whatever runs for however long.
LOG_MAX_MB = 5
LOG_BACKUPS = 2
SERVICE_LOG_BOUND_MB = LOG_MAX_MB * (1 + LOG_BACKUPS)
# supervisord's own log: what it started, stopped and restarted, and why.
MAIN_LOG_MAX_MB = 1

# A program that keeps failing within a second of starting is retried ever more slowly (1 s,
# 2 s, 3 s... apart) and given up (FATAL) only after this many tries, about a day and a half.
START_RETRIES = 500

# The event listener that kills what a program leaves behind when it dies (see reaper.py).
REAPER = "reaper"


class SupervisorGone(StartError):
    """supervisord stopped answering (killed, or its socket removed) in the middle of a command."""


@dataclass
class Program:
    """One ``[program:x]`` section: what supervisord runs for a service."""

    name: str
    command: list[str]
    directory: Path
    environment: dict[str, str] = field(default_factory=dict)
    user: str | None = None  # supervisord switches to it (only when it runs as root)
    priority: int = 500  # supervisord stops the highest first when it shuts down
    stopsignal: str = "TERM"
    stopwaitsecs: int = 15  # then SIGKILL, to the program's whole process group
    stopasgroup: bool = False  # send stopsignal to the process group, not only to the program


def _checked(value: str, what: str, quotes_ok: bool = False) -> str:
    # supervisord reads values with ConfigParser (" ;" and " #" start comments, a newline ends the
    # value), splits commands like a POSIX shell, and reads environment values with a shlex that
    # knows no escapes and strips quotes at their ends.
    if re.search(r"[\n\r]|\s[;#]" if quotes_ok else r"[\n\r\"']|\s[;#]", value):
        raise StartError(
            f"{what} holds {'' if quotes_ok else 'a quote, '}a line break or ' ;'/' #', which supervisord "
            "cannot pass on; choose a value without them (POSTGRES_PASSWORD and LAB_TOKEN live in .env)"
        )
    return value.replace("%", "%%")  # supervisord expands %(name)s in both


def min_fds(wanted: int = 8192) -> int:
    """supervisord raises its (and its programs') open-file limit to this, and refuses to start
    when the hard limit is lower: ask for no more than the hard limit."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


def render(run: Path, programs: list[Program]) -> str:
    logs = run / "logs"
    sock = paths.socket_path(run)
    lines = [
        "; Written by `racelab up` (make up) from the lab's settings; edits are overwritten.",
        f"; By hand: {Path(sys.executable).parent}/supervisorctl -c {run}/supervisord.conf status",
        "",
        "[unix_http_server]",
        f"file={sock}",
        "chmod=0700",
        "",
        "[supervisord]",
        f"logfile={logs}/supervisord.log",
        f"logfile_maxbytes={MAIN_LOG_MAX_MB}MB",
        f"logfile_backups={LOG_BACKUPS}",
        f"pidfile={run}/supervisord.pid",
        f"childlogdir={logs}",
        "directory=/",
        # nginx's worker_connections and Postgres's max_connections need more than 1024 files.
        f"minfds={min_fds()}",
        f"identifier=racelab-{paths.run_key(run)}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{sock}",
        "",
        f"[eventlistener:{REAPER}]",
        f"command={_checked(shlex.join([sys.executable, '-m', 'racelab.runtime.reaper']), 'the reaper', True)}",
        "directory=/",
        "events=PROCESS_STATE_EXITED",
        "priority=1",
        "autostart=true",
        "autorestart=true",
        f"stderr_logfile={logs}/{REAPER}.log",
        f"stderr_logfile_maxbytes={MAIN_LOG_MAX_MB}MB",
        f"stderr_logfile_backups={LOG_BACKUPS}",
    ]
    for p in programs:
        lines += [
            "",
            f"[program:{p.name}]",
            "command=" + _checked(shlex.join(p.command), f"the command of {p.name}", quotes_ok=True),
            f"directory={_checked(str(p.directory), f'the folder of {p.name}')}",
        ]
        if p.environment:
            pairs = (f'{k}="{_checked(v, f"{k} for {p.name}")}"' for k, v in sorted(p.environment.items()))
            lines.append("environment=" + ",".join(pairs))
        if p.user:
            lines.append(f"user={p.user}")
        lines += [
            f"priority={p.priority}",
            "autostart=false",
            "autorestart=true",
            "startsecs=1",
            f"startretries={START_RETRIES}",
            f"stopsignal={p.stopsignal}",
            f"stopwaitsecs={p.stopwaitsecs}",
            f"stopasgroup={str(p.stopasgroup).lower()}",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={logs}/{p.name}.log",
            f"stdout_logfile_maxbytes={LOG_MAX_MB}MB",
            f"stdout_logfile_backups={LOG_BACKUPS}",
        ]
    return "\n".join(lines) + "\n"


class Supervisor:
    """supervisord of one run folder, reached through its XML-RPC interface on the unix socket."""

    def __init__(self, run: Path) -> None:
        self.run = run
        self.conf = run / "supervisord.conf"
        self.pidfile = run / "supervisord.pid"
        self.socket = paths.socket_path(run)
        self.main_log = run / "logs" / "supervisord.log"

    def _proxy(self) -> Any:
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._proxy(), method)(*args)
        except OSError as exc:
            raise SupervisorGone(f"supervisord does not answer on {self.socket} ({exc}); see {self.main_log}") from exc

    def running(self) -> bool:
        try:
            return bool(self.call("getState")["statename"] == "RUNNING")
        except (SupervisorGone, xmlrpc.client.Error):
            return False

    def write_config(self, programs: list[Program]) -> None:
        text = render(self.run, programs)
        tmp = self.conf.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.chmod(0o600)  # it holds the database password and the lab token
        tmp.replace(self.conf)

    def start_daemon(self, env: dict[str, str], timeout: float = 20.0) -> int:
        """Start supervisord (it daemonizes itself); return its pid once it answers."""
        if self.socket.parent != self.run:
            paths.private_dir(self.socket.parent)
        self.main_log.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.conf)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise StartError(f"supervisord did not start: {(result.stderr or result.stdout).strip()}")
        if not procs.wait_until(self.running, timeout):
            raise StartError(
                f"supervisord did not answer on {self.socket} within {timeout:.0f}s. "
                f"Last lines of {self.main_log}:\n{procs.tail(self.main_log)}"
            )
        return int(self.call("getPID"))

    def reread(self) -> tuple[list[str], list[str], list[str]]:
        """Have supervisord read the config again: the programs added, changed and removed."""
        try:
            added, changed, removed = self.call("reloadConfig")[0]
        except xmlrpc.client.Fault as exc:
            raise StartError(f"supervisord refused {self.conf}: {exc.faultString}") from None
        return list(added), list(changed), list(removed)

    def info(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.call("getAllProcessInfo")}

    def state(self, name: str) -> dict[str, Any]:
        return dict(self.call("getProcessInfo", name))

    def add(self, name: str) -> None:
        self.call("addProcessGroup", name)

    def remove(self, name: str) -> None:
        self.stop(name)
        self.call("removeProcessGroup", name)

    def start(self, name: str) -> None:
        """Spawn the program; the caller waits for it to answer (``wait=False``)."""
        self.call("startProcess", name, False)

    def stop(self, name: str) -> int:
        """Stop the program and wait until it has exited; the pid it had, 0 if it was not running."""
        return self.stop_many([name])[name]

    def stop_many(self, names: list[str], timeout: float = 60.0) -> dict[str, int]:
        """Stop these programs at once (a replica closes faster once nginx's connections are gone)
        and wait until all have exited; the pid each had, 0 for one that was not running."""
        pids = {name: int(self.state(name).get("pid") or 0) for name in names}
        for name in names:
            try:
                self.call("stopProcess", name, False)
            except xmlrpc.client.Fault as exc:
                if "NOT_RUNNING" not in exc.faultString:
                    raise
        deadline = time.monotonic() + timeout
        while any(self.state(n)["statename"] in ("STOPPING", "RUNNING", "STARTING") for n in names):
            if time.monotonic() > deadline:
                raise StartError(f"{', '.join(names)} did not stop within {timeout:.0f}s; see {self.main_log}")
            time.sleep(0.05)
        return pids

    def shutdown(self, timeout: float = 60.0) -> None:
        """Stop every program, then supervisord itself; return once it has exited."""
        pid = int(self.call("getPID"))
        # supervisord's shutdown visits one process group per turn of its loop, a second each when
        # nothing happens: stopped and removed first, the groups cost nothing.
        names = list(self.info())
        self.stop_many(names)
        for name in names:
            self.call("removeProcessGroup", name)
        self.call("shutdown")
        deadline = time.monotonic() + timeout
        while procs.alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if procs.alive(pid):
            raise StartError(f"supervisord (pid {pid}) did not exit within {timeout:.0f}s; see {self.main_log}")
        if self.socket.parent != self.run:
            with contextlib.suppress(OSError):
                self.socket.parent.rmdir()


def daemon_env() -> dict[str, str]:
    """What supervisord (and through it every program) inherits: only what a program may need from
    the caller's session. The lab's own settings go into each program's ``environment=``, where a
    change restarts that program and nothing else."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}
