"""The native runtime's services: what supervisord runs for each, and how to tell it is ready.

Postgres, Redis and nginx come from the OS packages; gunicorn and Locust from the project's
virtualenv. Building a program has no side effects (the drift tests compare them with
compose.yaml); each service's ``prepare`` makes its folders and files when ``up`` runs.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from racelab.runtime import envfile, homes, osdeps
from racelab.runtime.brokers import Brokers, amqp_url
from racelab.runtime.paths import project_root, run_dir
from racelab.runtime.procs import StartError
from racelab.runtime.supervisor import Program
from racelab.settings import StackSettings
from racelab.topology import custom_topology


@dataclass
class Service:
    name: str
    port: int
    port_var: str  # the variable that moves this port, for the "port taken" message
    program: Program
    ready: Callable[[], bool]
    timeout: float = 60.0
    prepare: Callable[[], None] | None = None  # its folders and files; on every up, before supervisord reads
    before_start: Callable[[], None] | None = None  # e.g. initdb: only when the program (re)starts
    after_ready: Callable[[], None] | None = None  # idempotent; also run when it was already running
    other_ports: tuple[tuple[int, str], ...] = ()  # more ports it binds, and their variables
    listens: bool = True  # False: a client only (the queue worker); ``port`` is what it talks to


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``${NAME}`` for the names given; leave nginx's own ``$vars`` alone."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except OSError:
        return False


class ServicePrograms:
    """The lab's settings and, from them, one supervisord program per service."""

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out
        self.root = project_root()
        self.run = run_dir()
        self.logs = self.run / "logs"
        self.venv_bin = Path(sys.executable).parent
        self.env: dict[str, str] = {}
        self.stack = StackSettings()
        self._homes: dict[str, Path] = {}

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
    def rabbitmq_user(self) -> str:
        return self.env.get("RABBITMQ_USER") or "racelab"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.stack.redis_port}/0"

    @property
    def lab_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.nginx_port}"

    def shape(self) -> str:
        s = self.stack
        topology = custom_topology(s.replicas, s.workers, s.threads)
        return f"{topology.name} topology ({s.replicas} replicas x {s.workers} workers x {s.threads} threads)"

    # --- services --------------------------------------------------------------------------

    def services(self, binaries: osdeps.Binaries) -> list[Service]:
        s = self.stack
        brokers_before, brokers_after = Brokers(self, binaries).services()
        apps = [
            Service(
                f"app-{i}",
                port,
                "APP_BASE_PORT",
                self.app_program(i, port),
                ready=partial(http_ok, f"http://127.0.0.1:{port}/healthz"),
                prepare=partial(self.make_home, f"replicas/app-{i}", None),
            )
            for i, port in enumerate(s.app_ports(), start=1)
        ]
        return [
            Service(
                "postgres",
                s.postgres_port,
                "POSTGRES_PORT",
                self.postgres_program(binaries.pg_bin),
                self.postgres_ready,
                prepare=partial(self.make_home, "postgres", homes.postgres_user()),
                before_start=lambda: self.initdb(binaries.pg_bin),
                after_ready=self.postgres_setup,
            ),
            Service(
                "redis",
                s.redis_port,
                "REDIS_PORT",
                self.redis_program(binaries.redis_server),
                self.redis_ready,
                prepare=partial(self.make_home, "redis", homes.redis_user()),
            ),
            *brokers_before,
            *apps,
            *brokers_after,
            Service(
                "nginx",
                s.nginx_port,
                "NGINX_PORT",
                self.nginx_program(binaries.nginx),
                lambda: http_ok(f"{self.lab_url}/healthz"),
                prepare=self.prepare_nginx,
            ),
            Service(
                "locust",
                s.locust_port,
                "LOCUST_PORT",
                self.locust_program(),
                lambda: http_ok(f"http://127.0.0.1:{s.locust_port}/"),
            ),
        ]

    def home(self, name: str, user: str | None) -> Path:
        """Where service ``name`` keeps its files: see ``homes.where`` (decided once per command)."""
        if name not in self._homes:
            self._homes[name] = homes.where(self.run, name, user)
        return self._homes[name]

    def make_home(self, name: str, user: str | None, owner: str | None = None, mode: int = 0o700) -> None:
        homes.make(self.run, self.home(name, user), user, owner, mode)

    def postgres_home(self) -> Path:
        return self.home("postgres", homes.postgres_user())

    def postgres_program(self, pg_bin: Path) -> Program:
        home = self.postgres_home()
        return Program(
            "postgres",
            [
                str(pg_bin / "postgres"),
                "-D",
                str(home / "data"),
                "-p",
                str(self.stack.postgres_port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=200",
                "-c",
                "log_lock_waits=on",
                "-c",
                # Deadlock detection after 10 ms instead of 1 s: the transfer scenario shows
                # deadlocks on purpose, and each would otherwise stall its burst for a second.
                "deadlock_timeout=10ms",
            ],
            directory=home,
            user=homes.postgres_user(),
            priority=10,
            stopsignal="INT",
            stopwaitsecs=30,  # SIGINT: fast shutdown (SIGTERM would wait for every client)
        )

    def initdb(self, pg_bin: Path) -> None:
        home = self.postgres_home()
        data = home / "data"
        if (data / "PG_VERSION").exists():
            return
        user = homes.postgres_user()
        self.out(f"  initialising a new Postgres cluster in {data}")
        pwfile = home / "pwfile"
        pwfile.write_text(self.env.get("POSTGRES_PASSWORD", "") + "\n")
        pwfile.chmod(0o600)
        if user:
            shutil.chown(pwfile, user)
        log = self.logs / "postgres-initdb.log"  # once per cluster: a few kB
        try:
            with open(log, "ab") as out:
                result = subprocess.run(
                    [
                        str(pg_bin / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        self.pg_user,
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "-E",
                        "UTF8",
                        "--no-instructions",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    user=user,
                    cwd=home,
                )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise StartError(f"initdb failed; see {log}")

    def postgres_ready(self) -> bool:
        import psycopg

        with psycopg.connect(self.database_url("postgres"), connect_timeout=2):
            return True

    def postgres_setup(self) -> None:
        """Create the lab's database (idempotent). The app creates every scenario's tables itself,
        from each scenario's schema.sql, on its first connection."""
        import psycopg

        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.pg_db,)).fetchone()
            if not exists:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(self.pg_db)))

    def redis_program(self, redis_server: str) -> Program:
        user = homes.redis_user()
        home = self.home("redis", user)
        return Program(
            "redis",
            [
                redis_server,
                "--port",
                str(self.stack.redis_port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(home),
                "--daemonize",
                "no",
            ],
            directory=home,
            user=user,
            priority=20,
        )

    def redis_ready(self) -> bool:
        import redis

        return bool(redis.Redis.from_url(self.redis_url, socket_connect_timeout=1).ping())

    def replica_dir(self, index: int) -> Path:
        # Each replica gets its own directory, as each container gets its own filesystem.
        return self.run / "replicas" / f"app-{index}"

    def app_program(self, index: int, port: int) -> Program:
        replica = f"app-{index}"
        env = {
            "DATABASE_URL": self.database_url(),
            "REDIS_URL": self.redis_url,
            "MEMCACHED_URL": f"127.0.0.1:{self.stack.memcached_port}",
            "AMQP_URL": amqp_url(self),
            "LAB_TOKEN": self.env.get("LAB_TOKEN", ""),
            "REPLICA_ID": replica,
            "REPLICA_DIR": str(self.replica_dir(index)),
            # The lab's shape and its Locust UI, which the app reports (GET /api/lab, GET /):
            # a new REPLICAS restarts every replica, so that none reports an old shape.
            "REPLICAS": str(self.stack.replicas),
            "LOCUST_URL": f"http://127.0.0.1:{self.stack.locust_port}",
            "WORKERS": str(self.stack.workers),
            "THREADS": str(self.stack.threads),
            "RACE_WINDOW_MS": str(self.stack.race_window_ms),
            "BIND": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
        return Program(
            replica,
            [str(self.venv_bin / "gunicorn"), "-c", str(self.root / "services/app/gunicorn.conf.py")],
            directory=self.root,
            environment=env,
            priority=30,
        )

    def nginx_home(self) -> Path:
        # The master runs as we do; when that is root, its workers run as `nobody`, and must reach
        # the temp folders (request bodies, buffered responses) in this folder.
        return self.home("nginx", homes.NGINX_WORKER_USER)

    def nginx_files(self) -> dict[Path, str]:
        home = self.nginx_home()
        values = {
            "NGINX_RUN": str(home),
            "NGINX_LISTEN": f"127.0.0.1:{self.stack.nginx_port}",
            "UPSTREAM_SERVERS": "\n    ".join(
                # max_fails=1 fail_timeout=2s: a replica that refuses connections (killed, restarting)
                # is skipped for 2 s instead of costing every request a failed connect first. Only
                # connection errors and timeouts count (proxy_next_upstream), never an answer.
                f"server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
                for port in self.stack.app_ports()
            ),
        }
        templates = self.root / "services/nginx"
        return {
            home / "racelab.conf": render((templates / "racelab.conf.template").read_text(), values),
            home / "nginx.conf": render((templates / "native.conf.template").read_text(), values),
        }

    def prepare_nginx(self) -> None:
        me = pwd.getpwuid(os.geteuid()).pw_name
        self.make_home("nginx", homes.NGINX_WORKER_USER, owner=me, mode=0o755)
        (self.nginx_home() / "tmp").mkdir(exist_ok=True)
        for path, text in self.nginx_files().items():
            path.write_text(text)

    def nginx_program(self, nginx: str) -> Program:
        home = self.nginx_home()
        digest = hashlib.sha256("".join(self.nginx_files().values()).encode()).hexdigest()[:16]
        return Program(
            "nginx",
            [nginx, "-p", str(home), "-c", str(home / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
            directory=home,
            priority=40,
            # Not read by nginx: a new configuration (other replicas) changes the program's
            # definition, so that supervisord restarts nginx, and only then.
            environment={"RACELAB_NGINX_CONF": digest},
        )

    def locust_program(self) -> Program:
        env = {"LAB_TOKEN": self.env.get("LAB_TOKEN", ""), "PYTHONUNBUFFERED": "1"}
        argv = [
            str(self.venv_bin / "locust"),
            "-f",
            str(self.root / "loadtests/locustfile.py"),
            "--web-host",
            "127.0.0.1",
            "--web-port",
            str(self.stack.locust_port),
            "-H",
            self.lab_url,
        ]
        if self.stack.locust_workers:
            # A master and forked workers; the master listens for them on LOCUST_PORT + 1.
            master_port = str(self.stack.locust_port + 1)
            argv += [
                "--processes",
                str(self.stack.locust_workers),
                "--master-bind-host",
                "127.0.0.1",
                "--master-bind-port",
                master_port,
                "--master-port",
                master_port,
            ]
        # stopasgroup: the forked workers get the stop signal too.
        return Program("locust", argv, directory=self.root, environment=env, priority=50, stopasgroup=True)
