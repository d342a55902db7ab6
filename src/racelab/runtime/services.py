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
import urllib.parse
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
from racelab.topology import DEFAULT_SERVER, custom_topology

# The cluster's superuser. The app logs in as POSTGRES_USER, a role that owns the lab's database
# and nothing more: a SQL injection or a bug in a strategy cannot reach beyond it.
PG_ADMIN = "postgres"


# Redis writes its append-only file before each answer, and fsyncs it once a second by default
# (a machine crash may lose the last second's writes; a Redis crash loses none) or after every
# write (none lost even then; every write waits for the disk).
REDIS_APPENDFSYNC_CHOICES = ("everysec", "always")
REDIS_APPENDFSYNC_DEFAULT = "everysec"


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
    return re.sub(r"\$\{([A-Z][A-Z0-9_]*)\}", lambda m: values.get(m.group(1), m.group(0)), template)


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
        """The app's own role: it owns the lab's database and its tables, and is not a superuser."""
        password = urllib.parse.quote(self.env.get("POSTGRES_PASSWORD", ""), safe="")
        return f"postgresql://{self.pg_user}:{password}@127.0.0.1:{self.stack.postgres_port}/{db or self.pg_db}"

    def admin_url(self) -> str:
        """The cluster's superuser, which only ``make up`` uses (to create the app's role)."""
        password = urllib.parse.quote(self.env.get("POSTGRES_ADMIN_PASSWORD", ""), safe="")
        return f"postgresql://{PG_ADMIN}:{password}@127.0.0.1:{self.stack.postgres_port}/postgres"

    @property
    def locust_user(self) -> str:
        return self.env.get("LOCUST_USER") or "racelab"

    @property
    def rabbitmq_user(self) -> str:
        return self.env.get("RABBITMQ_USER") or "racelab"

    @property
    def redis_url(self) -> str:
        password = urllib.parse.quote(self.env.get("REDIS_PASSWORD", ""), safe="")
        return f"redis://:{password}@127.0.0.1:{self.stack.redis_port}/0"

    @property
    def lab_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.nginx_port}"

    def shape(self) -> str:
        s = self.stack
        topology = custom_topology(s.replicas, s.workers, s.threads, s.server)
        server = "" if s.server == DEFAULT_SERVER else f", {s.server} server"
        return f"{topology.name} topology ({s.replicas} replicas x {s.workers} workers x {s.threads} threads{server})"

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
                prepare=self.prepare_redis,
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
                other_ports=((s.nginx_h2_port, "NGINX_H2_PORT"),),
            ),
            Service(
                "locust",
                s.locust_port,
                "LOCUST_PORT",
                self.locust_program(),
                # Every other route asks for the UI's password (bench/access.py).
                lambda: http_ok(f"http://127.0.0.1:{s.locust_port}/racelab/health"),
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
        pwfile.write_text(self.env.get("POSTGRES_ADMIN_PASSWORD", "") + "\n")
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
                        PG_ADMIN,
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

        try:
            with psycopg.connect(self.admin_url(), connect_timeout=2):
                return True
        except psycopg.OperationalError as exc:
            if "password authentication failed" in str(exc) or "does not exist" in str(exc):
                # Refused, so it answers: postgres_setup says why, once, instead of a 60 s wait.
                return True
            raise

    def postgres_setup(self) -> None:
        """The app's role (not a superuser) and its database (idempotent): the same statements as
        compose's services/postgres/app-role.sh. The app creates every scenario's tables itself,
        from each scenario's schema.sql, on its first connection."""
        import psycopg
        from psycopg import sql

        try:
            conn = psycopg.connect(self.admin_url(), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            raise StartError(
                f"cannot log in to Postgres as its superuser {PG_ADMIN!r} ({str(exc).strip().splitlines()[-1]}). "
                "Its data was probably made by an older racelab, whose app role was the superuser: "
                "`make clean` deletes the lab's data, then `make up` starts afresh"
            ) from exc
        with conn:
            role, password = sql.Identifier(self.pg_user), sql.Literal(self.env.get("POSTGRES_PASSWORD", ""))
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (self.pg_user,)).fetchone():
                # The password in .env wins: a changed POSTGRES_PASSWORD is applied on the next up.
                conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(role, password))
            else:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                        role, password
                    )
                )
            database = sql.Identifier(self.pg_db)
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.pg_db,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(database, role))
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, role))

    def redis_program(self, redis_server: str) -> Program:
        user = homes.redis_user()
        home = self.home("redis", user)
        return Program(
            "redis",
            [
                redis_server,
                # First: the password, from a file only Redis reads (a flag would show it in ps).
                str(self.redis_conf()),
                "--port",
                str(self.stack.redis_port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "yes",
                # No snapshots; an append-only file, so that a restart keeps every acknowledged
                # write (REDIS_APPENDFSYNC: see above).
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                self.redis_appendfsync(),
                "--dir",
                str(home),
                "--daemonize",
                "no",
            ],
            directory=home,
            user=user,
            priority=20,
            # Not read by Redis: a new password changes the program's definition, so that
            # supervisord restarts Redis with it, as the replicas restart with the new REDIS_URL.
            environment={"RACELAB_REDIS_CONF": hashlib.sha256(self.redis_conf_text().encode()).hexdigest()[:16]},
        )

    def redis_appendfsync(self) -> str:
        """REDIS_APPENDFSYNC: when Redis fsyncs its append-only file (everysec or always)."""
        value = self.env.get("REDIS_APPENDFSYNC", "").strip() or REDIS_APPENDFSYNC_DEFAULT
        if value not in REDIS_APPENDFSYNC_CHOICES:
            raise StartError(f"REDIS_APPENDFSYNC={value!r}: choose one of {', '.join(REDIS_APPENDFSYNC_CHOICES)}")
        return value

    def redis_conf(self) -> Path:
        return self.home("redis", homes.redis_user()) / "redis.conf"

    def redis_conf_text(self) -> str:
        return f"requirepass {self.env.get('REDIS_PASSWORD', '')}\n"

    def prepare_redis(self) -> None:
        user = homes.redis_user()
        self.make_home("redis", user)
        conf = self.redis_conf()
        conf.write_text(self.redis_conf_text())
        conf.chmod(0o600)
        if user:
            shutil.chown(conf, user)

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
            # Which server racelab.serve starts (gunicorn gthread or gevent, Flask's dev server).
            "SERVER": self.stack.server,
            "RACE_WINDOW_MS": str(self.stack.race_window_ms),
            "APP_SCHEDULING": self.stack.app_scheduling,
            "BIND": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
        return Program(
            replica,
            # The launcher starts the replica's Manager, then becomes the topology's server.
            [
                sys.executable,
                "-m",
                "racelab.serve",
                "--gunicorn-config",
                str(self.root / "services/app/gunicorn.conf.py"),
            ],
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
            "NGINX_H2_LISTEN": f"127.0.0.1:{self.stack.nginx_h2_port}",
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
        env = {
            "LAB_TOKEN": self.env.get("LAB_TOKEN", ""),
            "LOCUST_USER": self.locust_user,
            "LOCUST_PASSWORD": self.env.get("LOCUST_PASSWORD", ""),
            "PYTHONUNBUFFERED": "1",
        }
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
