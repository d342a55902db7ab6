"""The native runtime: the lab's topology as local processes on 127.0.0.1.

Postgres, Redis and nginx come from the OS packages; gunicorn and Locust from the project's
virtualenv. Everything it starts is recorded in ``<run dir>/state.json`` (pid, port, the
configuration it was started with), and ``down`` stops exactly those pids.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from racelab.runtime import envfile, osdeps, procs
from racelab.runtime.paths import project_root, run_dir
from racelab.runtime.procs import StartError
from racelab.settings import StackSettings
from racelab.topology import custom_topology


@dataclass
class Service:
    name: str
    port: int
    marker: str  # a word of the process's command line: guards against stopping a reused pid
    start: Callable[[], int]
    ready: Callable[[], bool]
    port_var: str  # the variable that moves this port, for the "port taken" message
    config: dict[str, Any] = field(default_factory=dict)  # restart when this changes
    timeout: float = 60.0
    stop_signal: int = signal.SIGTERM
    after_ready: Callable[[], None] | None = None


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``${NAME}`` for the names given; leave nginx's own ``$vars`` alone."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


class NativeRuntime:
    name = "native"

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out
        self.root = project_root()
        self.run = run_dir()
        self.logs = self.run / "logs"
        self.state_path = self.run / "state.json"
        self.venv_bin = Path(sys.executable).parent
        self.env: dict[str, str] = {}
        self.stack = StackSettings()

    # --- configuration ---------------------------------------------------------------------

    def load_config(self) -> None:
        envfile.ensure(self.root)
        self.env = envfile.load(self.root)
        self.stack = StackSettings.from_env(self.env)

    @property
    def pg_user(self) -> str:
        return self.env.get("POSTGRES_USER") or "racelab"

    @property
    def pg_db(self) -> str:
        return self.env.get("POSTGRES_DB") or "racelab"

    def database_url(self, db: str | None = None) -> str:
        password = self.env.get("POSTGRES_PASSWORD", "")
        return f"postgresql://{self.pg_user}:{password}@127.0.0.1:{self.stack.postgres_port}/{db or self.pg_db}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.stack.redis_port}/0"

    @property
    def lab_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.nginx_port}"

    # --- state -----------------------------------------------------------------------------

    def read_state(self) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(self.state_path.read_text())["services"]
        except (OSError, ValueError, KeyError):
            return {}

    def write_state(self, services: dict[str, dict[str, Any]]) -> None:
        self.run.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"runtime": self.name, "services": services}, indent=2))
        tmp.replace(self.state_path)

    # --- services --------------------------------------------------------------------------

    def services(self, binaries: osdeps.Binaries) -> list[Service]:
        s = self.stack
        app_config = {"workers": s.workers, "threads": s.threads, "race_window_ms": s.race_window_ms}
        apps = [
            Service(
                name=f"app-{i}", port=port, marker="gunicorn", port_var="APP_BASE_PORT",
                start=lambda i=i, port=port: self.start_app(i, port),
                ready=lambda port=port: http_ok(f"http://127.0.0.1:{port}/healthz"),
                config={**app_config, "port": port},
            )
            for i, port in enumerate(s.app_ports(), start=1)
        ]
        return [
            Service(
                "postgres", s.postgres_port, "postgres", lambda: self.start_postgres(binaries.pg_bin),
                self.postgres_ready, "POSTGRES_PORT", stop_signal=signal.SIGINT,  # SIGINT: fast shutdown
                after_ready=self.postgres_setup,
            ),
            Service(
                "redis", s.redis_port, "redis-server", lambda: self.start_redis(binaries.redis_server),
                self.redis_ready, "REDIS_PORT",
            ),
            *apps,
            Service(
                "nginx", s.nginx_port, "nginx", lambda: self.start_nginx(binaries.nginx),
                lambda: http_ok(f"{self.lab_url}/healthz"), "NGINX_PORT",
                config={"upstreams": s.app_ports()},
            ),
            Service(
                "locust", s.locust_port, "locust", self.start_locust,
                lambda: http_ok(f"http://127.0.0.1:{s.locust_port}/"), "LOCUST_PORT",
                config={"target": self.lab_url, "workers": s.locust_workers},
            ),
        ]

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def postgres_os_user(self) -> str | None:
        """Postgres refuses to run as root: when we are root, run it as an unprivileged user."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "racelab"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "racelab"], check=True
        )
        return "racelab"

    def start_postgres(self, pg_bin: Path) -> int:
        user = self.postgres_os_user()
        home = self.run / "postgres"
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(home, user)
            if subprocess.run(["test", "-w", str(home)], user=user).returncode != 0:
                raise StartError(
                    f"the '{user}' user cannot write {home} (a parent folder is closed to it). "
                    "Set RUN_DIR to a folder it can reach, e.g. RUN_DIR=/tmp/racelab-run make up"
                )
        if not (data / "PG_VERSION").exists():
            self.out(f"  initialising a new Postgres cluster in {data}")
            pwfile = home / "pwfile"
            pwfile.write_text(self.env.get("POSTGRES_PASSWORD", "") + "\n")
            pwfile.chmod(0o600)
            if user:
                shutil.chown(pwfile, user)
            try:
                with open(self.log("postgres-initdb"), "ab") as out:
                    result = subprocess.run(
                        [str(pg_bin / "initdb"), "-D", str(data), "-U", self.pg_user, "--auth=scram-sha-256",
                         f"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"],
                        stdout=out, stderr=subprocess.STDOUT, user=user,
                    )
            finally:
                pwfile.unlink(missing_ok=True)
            if result.returncode != 0:
                raise StartError(f"initdb failed; see {self.log('postgres-initdb')}")
        return procs.spawn(
            [str(pg_bin / "postgres"), "-D", str(data), "-p", str(self.stack.postgres_port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
             "-c", "max_connections=200", "-c", "log_lock_waits=on"],
            self.log("postgres"), user=user,
        )

    def postgres_ready(self) -> bool:
        import psycopg

        with psycopg.connect(self.database_url("postgres"), connect_timeout=2):
            return True

    def postgres_setup(self) -> None:
        """Create the lab's database and schema (idempotent)."""
        import psycopg

        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.pg_db,)).fetchone()
            if not exists:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(self.pg_db)))
        with psycopg.connect(self.database_url(), autocommit=True) as conn:
            conn.execute((self.root / "services/postgres/init.sql").read_text())

    def start_redis(self, redis_server: str) -> int:
        home = self.run / "redis"
        home.mkdir(parents=True, exist_ok=True)
        return procs.spawn(
            [redis_server, "--port", str(self.stack.redis_port), "--bind", "127.0.0.1", "--protected-mode", "yes",
             "--save", "", "--appendonly", "no", "--dir", str(home), "--daemonize", "no"],
            self.log("redis"),
        )

    def redis_ready(self) -> bool:
        import redis

        return bool(redis.Redis.from_url(self.redis_url, socket_connect_timeout=1).ping())

    def start_app(self, index: int, port: int) -> int:
        replica = f"app-{index}"
        # Each replica gets its own directory, as each container gets its own filesystem.
        replica_dir = self.run / "replicas" / replica
        replica_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url(),
            "REDIS_URL": self.redis_url,
            "LAB_TOKEN": self.env.get("LAB_TOKEN", ""),
            "REPLICA_ID": replica,
            "REPLICA_DIR": str(replica_dir),
            "WORKERS": str(self.stack.workers),
            "THREADS": str(self.stack.threads),
            "RACE_WINDOW_MS": str(self.stack.race_window_ms),
            "BIND": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
        return procs.spawn(
            [str(self.venv_bin / "gunicorn"), "-c", str(self.root / "services/app/gunicorn.conf.py")],
            self.log(replica), env=env, cwd=self.root,
        )

    def start_nginx(self, nginx: str) -> int:
        home = self.run / "nginx"
        (home / "tmp").mkdir(parents=True, exist_ok=True)
        values = {
            "NGINX_RUN": str(home),
            "LOG_DIR": str(self.logs),
            "NGINX_LISTEN": f"127.0.0.1:{self.stack.nginx_port}",
            "UPSTREAM_SERVERS": "\n    ".join(
                # max_fails=0: one killed worker must not take a whole replica out for 10 s.
                f"server 127.0.0.1:{port} max_fails=0;" for port in self.stack.app_ports()
            ),
        }
        templates = self.root / "services/nginx"
        (home / "racelab.conf").write_text(render((templates / "racelab.conf.template").read_text(), values))
        (home / "nginx.conf").write_text(render((templates / "native.conf.template").read_text(), values))
        return procs.spawn(
            [nginx, "-p", str(home), "-c", str(home / "nginx.conf"), "-e", str(self.logs / "nginx-error.log"),
             "-g", "daemon off;"],
            self.log("nginx"),
        )

    def start_locust(self) -> int:
        env = {**os.environ, "LAB_TOKEN": self.env.get("LAB_TOKEN", ""), "PYTHONUNBUFFERED": "1"}
        argv = [str(self.venv_bin / "locust"), "-f", str(self.root / "loadtests/locustfile.py"),
                "--web-host", "127.0.0.1", "--web-port", str(self.stack.locust_port), "-H", self.lab_url]
        if self.stack.locust_workers:
            # A master and forked workers; the master listens for them on LOCUST_PORT + 1.
            master_port = str(self.stack.locust_port + 1)
            argv += ["--processes", str(self.stack.locust_workers), "--master-bind-host", "127.0.0.1",
                     "--master-bind-port", master_port, "--master-port", master_port]
        return procs.spawn(argv, self.log("locust"), env=env, cwd=self.root)

    # --- commands --------------------------------------------------------------------------

    def up(self) -> None:
        self.load_config()
        binaries = osdeps.ensure(self.out)
        self.logs.mkdir(parents=True, exist_ok=True)
        topology = custom_topology(self.stack.replicas, self.stack.workers, self.stack.threads)
        self.out(
            f"racelab native runtime: {topology.name} topology ({self.stack.replicas} replicas x "
            f"{self.stack.workers} workers x {self.stack.threads} threads), run state in {self.run}"
        )
        state = self.read_state()
        wanted = self.services(binaries)
        wanted_names = {svc.name for svc in wanted}
        # Replicas no longer wanted (REPLICAS went down) go first, newest first.
        for name in [n for n in reversed(list(state)) if n not in wanted_names]:
            self.stop_one(name, state)
        for svc in wanted:
            record = state.get(svc.name)
            if record and procs.ours(record["pid"], svc.marker):
                if record.get("config") == svc.config:
                    self.out(f"  {svc.name:<9} already running (pid {record['pid']}, port {svc.port})")
                    if svc.after_ready:
                        svc.after_ready()  # idempotent: repairs a setup that an earlier run cut short
                    continue
                self.out(f"  {svc.name:<9} configuration changed: restarting")
                self.stop_one(svc.name, state)
            self.start_one(svc, state)
        self.out(
            f"\nThe lab is up.\n"
            f"  lab API (nginx) {self.lab_url}\n"
            f"  Locust web UI   http://127.0.0.1:{self.stack.locust_port}\n"
            f"Try:  curl -s -X POST {self.lab_url}/api/counter/db-thread-lock/next\n"
            f"Stop: make down"
        )

    def start_one(self, svc: Service, state: dict[str, dict[str, Any]]) -> None:
        if procs.port_in_use(svc.port):
            raise StartError(
                f"port {svc.port} on 127.0.0.1 (for {svc.name}) is already in use by another program. "
                f"Stop that program, or choose another port: {svc.port_var}=<port> make up"
            )
        started = time.monotonic()
        pid = svc.start()
        state[svc.name] = {"pid": pid, "port": svc.port, "marker": svc.marker, "config": svc.config,
                           "log": str(self.log(svc.name))}
        self.write_state(state)  # recorded before it is ready, so down can stop a half-started stack
        if not procs.wait_until(svc.ready, svc.timeout, pid=pid):
            reason = "exited" if not procs.alive(pid) else f"was not ready after {svc.timeout:.0f}s"
            raise StartError(
                f"{svc.name} {reason}. Last lines of {self.log(svc.name)}:\n{procs.tail(self.log(svc.name))}"
            )
        if not procs.accepts(svc.port):  # the bind is checked, not assumed
            raise StartError(f"{svc.name} is running but nothing accepts on 127.0.0.1:{svc.port}")
        if svc.after_ready:
            svc.after_ready()
        self.out(f"  {svc.name:<9} ready on 127.0.0.1:{svc.port} (pid {pid}, {time.monotonic() - started:.1f}s)")

    def stop_one(self, name: str, state: dict[str, dict[str, Any]]) -> None:
        record = state.pop(name, None)
        if record:
            sig = signal.SIGINT if name == "postgres" else signal.SIGTERM
            if procs.stop(record["pid"], record["marker"], sig):
                self.out(f"  {name:<9} stopped (pid {record['pid']})")
        self.write_state(state)

    def down(self) -> None:
        state = self.read_state()
        if not state:
            self.out("nothing to stop: the native runtime has no running services")
            return
        for name in reversed(list(state)):
            self.stop_one(name, state)
        self.state_path.unlink(missing_ok=True)
        self.out("the lab is down")

    def status(self) -> int:
        state = self.read_state()
        if not state:
            self.out("the native runtime is not running (make up starts it)")
            return 0  # nothing is broken: a non-zero status means a started service went down
        down = 0
        self.out(f"{'service':<10} {'pid':>8} {'port':>6}  state")
        for name, record in state.items():
            running = procs.ours(record["pid"], record["marker"])
            listening = running and procs.accepts(record["port"])
            label = "up" if listening else ("starting" if running else "DOWN")
            down += label != "up"
            self.out(f"{name:<10} {record['pid']:>8} {record['port']:>6}  {label}")
        return 1 if down else 0

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None:
        files = sorted(self.logs.glob("*.log")) if self.logs.exists() else []
        if service:
            files = [f for f in files if f.stem == service or f.stem.startswith(f"{service}-")]
        if not files:
            self.out("no logs yet (make up first)")
            return
        argv = ["tail", "-n", str(lines), *(["-F"] if follow else []), *map(str, files)]
        os.execvp("tail", argv)
