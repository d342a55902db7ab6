"""Typed settings read from the environment, in one place, by whoever needs them (never at import).

Every variable is documented in ``.env.example``; the native runtime and compose.yaml set the
same names.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from racelab.topology import DEFAULT_SERVER, TOPOLOGIES, ShapeError, check_shape


class SettingsError(ValueError):
    """A variable is set to something unusable; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, low: int = 0, high: int = 1 << 30) -> int:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    # ASCII digits only: int() would also take "5_0" (as 50), "+5" or other scripts' digits.
    if not re.fullmatch(r"-?[0-9]+", raw.strip()):
        raise SettingsError(f"{name}={raw!r} is not a whole number")
    value = int(raw)
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} is out of range [{low}, {high}]")
    return value


@dataclass(frozen=True)
class AppSettings:
    """What one app replica needs."""

    database_url: str = "postgresql://racelab@127.0.0.1:15432/racelab"
    redis_url: str = "redis://127.0.0.1:16379/0"
    memcached_url: str = "127.0.0.1:11212"  # host:port, as pymemcache takes it
    amqp_url: str = "amqp://racelab:racelab@127.0.0.1:15673/%2F"
    lab_token: str = ""
    replica_id: str = "app-1"
    # The runtimes always set REPLICA_DIR; this default only serves a bare create_app().
    replica_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "racelab-replica")
    race_window_ms: int = 0
    threads: int = 4
    server: str = DEFAULT_SERVER  # what serves the app (racelab.serve reads it): gthread, gevent, devserver
    # The shape of the whole lab, as the runtime started it: the app reports it (GET /api/lab)
    # so that every client derives the expected verdicts from the same place. 0: not told.
    replicas: int = 0
    workers: int = 0
    locust_url: str = ""
    scheduling: str = "batch"  # the replica's CPU scheduling policy (racelab.serve.SCHEDULING)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppSettings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            redis_url=env.get("REDIS_URL") or cls.redis_url,
            memcached_url=env.get("MEMCACHED_URL") or cls.memcached_url,
            amqp_url=env.get("AMQP_URL") or cls.amqp_url,
            lab_token=env.get("LAB_TOKEN", ""),
            # Unset in compose, where one value would name every replica of `app` alike: each
            # container's hostname (its ID, as `docker ps` shows it) is unique.
            replica_id=env.get("REPLICA_ID") or socket.gethostname() or cls.replica_id,
            replica_dir=Path(env.get("REPLICA_DIR") or Path(tempfile.gettempdir()) / "racelab-replica"),
            race_window_ms=_int(env, "RACE_WINDOW_MS", 0, 0, MAX_RACE_WINDOW_MS),
            threads=_int(env, "THREADS", 4, 1, 256),
            server=env.get("SERVER", "").strip() or DEFAULT_SERVER,
            replicas=_int(env, "REPLICAS", 0, 0, 64),
            workers=_int(env, "WORKERS", 0, 0, 64),
            locust_url=env.get("LOCUST_URL", ""),
            scheduling=_choice(env, "APP_SCHEDULING", SCHEDULING_POLICIES),
        )


MAX_RACE_WINDOW_MS = 2000
# The app processes' CPU scheduling policy, APP_SCHEDULING (racelab.serve says why batch).
SCHEDULING_POLICIES = ("batch", "normal")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (the first when unset)."""
    raw = env.get(name, "").strip()
    if raw == "":
        return choices[0]
    if raw not in choices:
        raise SettingsError(f"{name}={raw!r} is not one of {', '.join(choices)}")
    return raw


@dataclass(frozen=True)
class StackSettings:
    """The topology and ports of a whole stack; shared by both runtimes."""

    replicas: int = 3
    workers: int = 2
    threads: int = 4
    server: str = DEFAULT_SERVER
    race_window_ms: int = 0
    app_scheduling: str = "batch"
    nginx_port: int = 8080
    # nginx's HTTP/2 cleartext listener (single-packet bursts); unset: NGINX_PORT + 1
    nginx_h2_port: int = 8081
    locust_port: int = 8089
    postgres_port: int = 15432
    redis_port: int = 16379
    app_base_port: int = 18001
    memcached_port: int = 11212
    # RabbitMQ: AMQP, and the Erlang port mapper and distribution port its tools talk through.
    rabbitmq_port: int = 15673
    rabbitmq_epmd_port: int = 14369
    rabbitmq_dist_port: int = 14370
    locust_workers: int = 0  # 0: one Locust process; N: a master and N workers (--processes N)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackSettings:
        env = os.environ if env is None else env
        values = env

        def port(name: str, default: int) -> int:
            return _int(values, name, default, 1024, 32767)

        shape = _topology_shape(env)
        server = shape[3] if shape else env.get("SERVER", "").strip() or cls.server
        workers = shape[1] if shape else _int(env, "WORKERS", cls.workers, 1, 32)
        threads = shape[2] if shape else _int(env, "THREADS", cls.threads, 1, 64)
        try:
            check_shape(server, workers, threads)
        except ShapeError as exc:
            raise SettingsError(str(exc)) from None
        return cls(
            replicas=shape[0] if shape else _int(env, "REPLICAS", cls.replicas, 1, 16),
            workers=workers,
            threads=threads,
            server=server,
            race_window_ms=_int(env, "RACE_WINDOW_MS", 0, 0, MAX_RACE_WINDOW_MS),
            app_scheduling=_choice(env, "APP_SCHEDULING", SCHEDULING_POLICIES),
            nginx_port=port("NGINX_PORT", cls.nginx_port),
            # Next to NGINX_PORT when unset, so that stacks moved by NGINX_PORT alone do not meet.
            nginx_h2_port=port("NGINX_H2_PORT", port("NGINX_PORT", cls.nginx_port) + 1),
            locust_port=port("LOCUST_PORT", cls.locust_port),
            postgres_port=port("POSTGRES_PORT", cls.postgres_port),
            redis_port=port("REDIS_PORT", cls.redis_port),
            app_base_port=port("APP_BASE_PORT", cls.app_base_port),
            memcached_port=port("MEMCACHED_PORT", cls.memcached_port),
            rabbitmq_port=port("RABBITMQ_PORT", cls.rabbitmq_port),
            rabbitmq_epmd_port=port("RABBITMQ_EPMD_PORT", cls.rabbitmq_epmd_port),
            rabbitmq_dist_port=port("RABBITMQ_DIST_PORT", cls.rabbitmq_dist_port),
            locust_workers=_int(env, "LOCUST_WORKERS", 0, 0, 16),
        )

    def app_ports(self) -> list[int]:
        return [self.app_base_port + i for i in range(self.replicas)]


def _topology_shape(env: Mapping[str, str]) -> tuple[int, int, int, str] | None:
    """``TOPOLOGY=<name>`` sets replicas x workers x threads and the server at once, over
    REPLICAS/WORKERS/THREADS/SERVER."""
    name = env.get("TOPOLOGY", "").strip()
    if not name:
        return None
    topology = TOPOLOGIES.get(name)
    if topology is None:
        raise SettingsError(f"TOPOLOGY={name!r} is not a topology; choose one of: {', '.join(TOPOLOGIES)}")
    return topology.replicas, topology.workers, topology.threads, topology.server
