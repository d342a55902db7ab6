"""Per-process connections to Postgres and Redis, created lazily after gunicorn forks.

Pools are never opened at import or in the gunicorn master: libpq connections and the pool's
background threads do not survive ``fork()``. The first request in each worker opens them,
under a lock, because under the gthread worker several threads arrive at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from psycopg_pool import ConnectionPool
from redis import Redis

from racelab.settings import AppSettings
from racelab.strategies import names

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS counters (
    name    text   PRIMARY KEY,
    value   bigint NOT NULL DEFAULT 0,
    version bigint NOT NULL DEFAULT 0
)
"""


def _ensure_rows(conn) -> None:  # type: ignore[no-untyped-def]
    """Every strategy's row exists before any request needs it (idempotent, race-free)."""
    with conn.transaction():
        # Serialise concurrent first starts: CREATE TABLE IF NOT EXISTS is not race-free.
        conn.execute("SELECT pg_advisory_xact_lock(20260001)")
        conn.execute(SCHEMA_SQL)
        conn.execute(
            "INSERT INTO counters (name) SELECT unnest(%s::text[]) ON CONFLICT (name) DO NOTHING",
            (names(),),
        )


class ProcessResources:
    """The resources a strategy may touch, owned by one worker process."""

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings
        self.replica_id = settings.replica_id
        self.replica_dir = Path(settings.replica_dir)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pool: ConnectionPool | None = None
        self._redis: Redis | None = None

    def _ensure(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            size = self.settings.threads  # one connection per request thread is enough
            self._pool = ConnectionPool(
                self.settings.database_url,
                min_size=1,
                max_size=size,
                kwargs={"autocommit": True},
                configure=_ensure_rows_once(),
                open=False,
                timeout=10.0,
                # A connection broken by a Postgres restart is replaced instead of failing forever.
                check=ConnectionPool.check_connection,
                name=f"{self.replica_id}-{os.getpid()}",
            )
            self._pool.open(wait=False)
            self._redis = Redis.from_url(
                self.settings.redis_url, socket_timeout=10, socket_connect_timeout=3, health_check_interval=30
            )
            self._pid = os.getpid()

    def db(self) -> ConnectionPool:
        self._ensure()
        assert self._pool is not None
        return self._pool

    def redis(self) -> Redis:
        self._ensure()
        assert self._redis is not None
        return self._redis

    def close(self) -> None:
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()


def _ensure_rows_once():  # type: ignore[no-untyped-def]
    """A pool ``configure`` callback that creates the schema with the first connection only."""
    done = threading.Event()

    def configure(conn) -> None:  # type: ignore[no-untyped-def]
        if not done.is_set():
            _ensure_rows(conn)
            done.set()

    return configure
