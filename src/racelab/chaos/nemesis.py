"""The nemesis's hands: what injecting a fault means in each runtime.

Natively every service is a supervisord program (``runtime/supervisor.py`` gives its pid), so a
fault is a signal to one of the lab's own processes (never anything else: a pid is used only when
it is a program of this run folder, or a child of one) or supervisord's stop and start. In
compose, the same faults are ``docker kill``, ``docker stop``/``start`` and ``docker pause``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from racelab.manager import pid_file

# The lease strategies run with this race window during the pause, so that a holder spends most
# of its time with the lock between its read and its write: paused there, its write is stale.
# Long, because the nemesis judges from the lock's age alone (faults.in_window: at least half the
# window): on a busy machine a thread that took the lock may wait a long time for a CPU before it
# reads, the longer as the app's processes never preempt the load generator (racelab.serve's
# SCHEDULING, batch): at 400 ms a holder stopped 201 ms after taking the lock had not read yet,
# once in a full test run, and its "stale" write was a fresh one.
PAUSE_RACE_WINDOW_MS = 1000
# In compose each look at the lock and each pause is a `docker exec` / `docker pause`, tens to
# hundreds of milliseconds: the window must be wider for the nemesis to land inside it (still
# shorter than the lock's 5 s TTL, after which the paused write is stale).
COMPOSE_PAUSE_RACE_WINDOW_MS = 1800  # at most MAX_RACE_WINDOW_MS (2000)

# tc's u32 filter that sends matching packets to the prio qdisc's third band (netem); then
# ip dport|sport <port> 0xffff.
FILTER = ["filter", "add", "dev", "lo", "protocol", "ip", "parent", "1:0", "prio", "1", "u32", "match", "ip"]


class NemesisError(RuntimeError):
    """A fault could not be injected (the message says why); the fault is reported as skipped."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, from its token ``<replica>/<pid>/<random>``."""

    replica: str
    pid: int
    token: str

    @classmethod
    def parse(cls, raw: bytes | str | None) -> Holder | None:
        token = raw.decode() if isinstance(raw, bytes) else raw
        parts = (token or "").split("/")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), token or "")


class Nemesis(Protocol):
    runtime: str

    def kill_worker(self) -> str: ...

    def kill_replica(self) -> str: ...

    def stop(self, service: str) -> str: ...

    def start(self, service: str) -> str: ...

    def crash(self, service: str) -> str: ...

    # How wide a race window the hunted lease strategy gets, for this nemesis to stop its holder
    # between its read and its write (see chaos.faults).
    pause_race_window_ms: int

    def lock(self, key: str) -> tuple[Holder | None, int]:
        """The lock's holder and its remaining TTL in ms (-2: no such key)."""
        ...

    def pause(self, holder: Holder) -> str: ...

    def resume(self, holder: Holder) -> None: ...

    def delay(self, port_service: str, ms: int) -> str: ...

    def undelay(self) -> None: ...


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class NativeNemesis:
    """Faults to the native runtime's processes, through supervisord."""

    pause_race_window_ms = PAUSE_RACE_WINDOW_MS

    runtime = "native"

    def __init__(self) -> None:
        from racelab.runtime.native import NativeRuntime

        self.lab = NativeRuntime(out=lambda _line: None)
        self.lab.load_config()
        self.supervisor = self.lab.supervisor
        self._delayed = False

    def pid(self, service: str) -> int:
        pid = int(self.supervisor.state(service).get("pid") or 0)
        if not pid:
            raise NemesisError(f"{service} is not running (make ps)")
        return pid

    def app_names(self) -> list[str]:
        return [f"app-{i}" for i in range(1, self.lab.stack.replicas + 1)]

    def kill_worker(self) -> str:
        master = self.pid("app-1")
        # The master's children are its workers and the replica's multiprocessing.Manager server
        # (started by racelab.serve before it became gunicorn): the worker is what dies here.
        try:
            manager = int(pid_file(self.lab.replica_dir(1)).read_text())
        except (OSError, ValueError):
            manager = 0
        workers = [pid for pid in children(master) if pid != manager]
        if not workers:
            raise NemesisError("app-1's gunicorn master has no workers to kill")
        os.kill(workers[0], signal.SIGKILL)
        return f"kill -9 worker pid {workers[0]} of app-1 (master {master})"

    def kill_replica(self) -> str:
        name = self.app_names()[-1]
        master = self.pid(name)
        os.kill(master, signal.SIGKILL)
        return f"kill -9 {name}'s gunicorn master (pid {master}); supervisord restarts it"

    def stop(self, service: str) -> str:
        pid = self.supervisor.stop(service)
        return f"stopped {service} (pid {pid})"

    def start(self, service: str) -> str:
        self.supervisor.start(service)
        port = {"postgres": self.lab.stack.postgres_port, "redis": self.lab.stack.redis_port}[service]
        from racelab.runtime import procs

        procs.wait_until(lambda: procs.accepts(port), 30)
        return f"started {service}"

    def crash(self, service: str) -> str:
        pid = self.pid(service)
        os.kill(pid, signal.SIGKILL)
        return f"kill -9 {service} (pid {pid}); supervisord restarts it"

    def lock(self, key: str) -> tuple[Holder | None, int]:
        import redis

        client = redis.Redis.from_url(self.lab.redis_url, socket_timeout=1)
        with client.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.pttl(key)
            raw, ttl = pipe.execute()
        return Holder.parse(raw), int(ttl)

    def ours(self, pid: int) -> bool:
        """A gunicorn worker of one of this lab's replicas."""
        masters = {int(self.supervisor.state(name).get("pid") or 0) for name in self.app_names()}
        return any(pid in children(master) for master in masters if master)

    def pause(self, holder: Holder) -> str:
        if not self.ours(holder.pid):
            raise NemesisError(f"pid {holder.pid} is not a worker of this lab; not touching it")
        os.kill(holder.pid, signal.SIGSTOP)
        return f"SIGSTOP pid {holder.pid} ({holder.replica})"

    def resume(self, holder: Holder) -> None:
        os.kill(holder.pid, signal.SIGCONT)

    def delay(self, port_service: str, ms: int) -> str:
        """netem on loopback, for packets to or from the service's port only."""
        tc = shutil.which("tc")
        if tc is None or os.geteuid() != 0:
            raise NemesisError("network delay needs tc (iproute2) and root: skipped")
        shown = subprocess.run([tc, "qdisc", "show", "dev", "lo"], capture_output=True, text=True)
        if "noqueue" not in shown.stdout:
            raise NemesisError(f"loopback already has a queueing discipline ({shown.stdout.strip()}): skipped")
        port = str({"postgres": self.lab.stack.postgres_port}[port_service])
        steps = [
            ["qdisc", "add", "dev", "lo", "root", "handle", "1:", "prio"],
            ["qdisc", "add", "dev", "lo", "parent", "1:3", "handle", "30:", "netem", "delay", f"{ms}ms"],
            *([*FILTER, direction, port, "0xffff", "flowid", "1:3"] for direction in ("dport", "sport")),
        ]
        for step in steps:
            result = subprocess.run([tc, *step], capture_output=True, text=True)
            if result.returncode != 0:
                self._delayed = True
                self.undelay()
                raise NemesisError(f"tc {' '.join(step)} failed ({result.stderr.strip()}): skipped")
        self._delayed = True
        return f"netem delay {ms} ms each way on 127.0.0.1:{port} ({port_service})"

    def undelay(self) -> None:
        if self._delayed:
            subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"], capture_output=True)
            self._delayed = False


class ComposeNemesis:
    """The same faults with the container engine: kill, stop/start, pause/unpause."""

    pause_race_window_ms = COMPOSE_PAUSE_RACE_WINDOW_MS

    runtime = "docker"

    def __init__(self) -> None:
        from racelab.runtime.docker import DockerRuntime

        self.lab = DockerRuntime(out=lambda _line: None)
        self.lab.load_config()
        self._by_hostname: dict[str, str] = {}  # an app container's hostname (a lock token's replica) -> name
        self._redis = ""

    def container(self, service: str) -> str:
        names = self.lab.containers(service)
        if not names:
            raise NemesisError(f"no running container for {service} (make ps)")
        return names[-1]

    def docker(self, *args: str) -> str:
        result = self.lab.docker(*args)
        if result.returncode != 0:
            raise NemesisError(f"docker {' '.join(args)} failed: {(result.stderr or result.stdout).strip()}")
        return result.stdout.strip()

    def kill_worker(self) -> str:
        name = self.container("app")
        # The image's command execs gunicorn: its master is pid 1, its workers are pid 1's children,
        # with the replica's Manager server (its pid in REPLICA_DIR/manager.pid), which is spared.
        script = (
            "m=$(cat /tmp/racelab-replica/manager.pid 2>/dev/null); "
            'for p in $(cat /proc/1/task/1/children); do [ "$p" != "$m" ] && kill -9 $p && break; done'
        )
        self.docker("exec", name, "sh", "-c", script)
        return f"kill -9 a gunicorn worker in {name}"

    def kill_replica(self) -> str:
        name = self.container("app")
        self.docker("kill", name)
        self.docker("start", name)  # a killed container counts as stopped by hand: no restart policy
        return f"docker kill {name}, then docker start"

    def stop(self, service: str) -> str:
        name = self.container(service)
        self.docker("stop", "-t", "10", name)
        self._stopped = name
        return f"docker stop {name}"

    def start(self, service: str) -> str:
        name = self.lab.containers(service, all_=True)[-1]
        self.docker("start", name)
        return f"docker start {name}"

    def crash(self, service: str) -> str:
        name = self.container(service)
        self.docker("kill", name)
        self.docker("start", name)
        return f"docker kill {name}, then docker start"

    def lock(self, key: str) -> tuple[Holder | None, int]:
        # One `docker exec` for both (each costs tens of milliseconds): the holder's token and TTL.
        script = 'redis-cli --no-auth-warning GET "$1"; redis-cli --no-auth-warning PTTL "$1"'
        self._redis = self._redis or self.container("redis")  # the same container across its restarts
        out = self.docker("exec", self._redis, "sh", "-c", script, "sh", key).split("\n")
        raw, ttl = [*out, "", ""][:2]
        return Holder.parse(raw.strip() or None), int(ttl.strip() or -2)

    def replica_container(self, replica: str) -> str:
        if replica not in self._by_hostname:
            for name in self.lab.containers("app", all_=True):  # a paused one too, to resume it
                self._by_hostname[self.docker("inspect", "-f", "{{.Config.Hostname}}", name)] = name
        if replica not in self._by_hostname:
            raise NemesisError(f"no app container has hostname {replica}")
        return self._by_hostname[replica]

    def pause(self, holder: Holder) -> str:
        name = self.replica_container(holder.replica)
        self.docker("pause", name)
        return f"docker pause {name} (holder pid {holder.pid} inside)"

    def resume(self, holder: Holder) -> None:
        self.docker("unpause", self.replica_container(holder.replica))

    def delay(self, port_service: str, ms: int) -> str:
        raise NemesisError("network delay needs tc with NET_ADMIN inside the containers: skipped in compose")

    def undelay(self) -> None:
        """Nothing was delayed."""


def choose(runtime: str) -> Nemesis:
    return ComposeNemesis() if runtime == "docker" else NativeNemesis()


def wait(seconds: float) -> None:
    time.sleep(max(0.0, seconds))
