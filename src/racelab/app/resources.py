"""Per-process connections to Postgres, Redis, memcached and RabbitMQ, created lazily after gunicorn forks.

Pools are never opened at import or in the gunicorn master: libpq connections and the pool's
background threads do not survive ``fork()``. The first request in each worker opens them,
under a lock, because under the gthread worker several threads arrive at once. The first
connection of each process applies every scenario's ``schema.sql`` (idempotent); the first
process of a fresh lab resets every strategy to its scenario's starting state.

Flask's ``app.extensions["racelab"]`` holds the one instance; :func:`get_resources` finds it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from flask import current_app
from psycopg import Connection
from psycopg_pool import ConnectionPool
from pymemcache.client.base import PooledClient
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from racelab import scenarios
from racelab.core.strategy import Ctx
from racelab.manager import ManagerClient
from racelab.messaging.rpc import QueueClient
from racelab.settings import AppSettings

SEEDED_KEY = "racelab:seeded:"  # + a fingerprint of the registry: a new scenario or strategy seeds again
SEED_TIMEOUT_S = 10
SCHEMA_LOCK = 20260001  # serialises concurrent first starts: CREATE TABLE IF NOT EXISTS is not race-free

# Fail fast: every wait a request can make is bounded, so a store that is down or stuck costs a
# caller a 503 within seconds, never nginx's 60 s proxy_read_timeout (racelab.conf.template).
# A request makes at most a few such waits: it answers within about 10 s whatever happens.
POOL_TIMEOUT_S = 2.0  # a free connection, or Postgres back (then 503 postgres_unavailable)
CONNECT_TIMEOUT_S = 2  # libpq's connect_timeout, per attempt
STATEMENT_TIMEOUT_MS = 5000  # any one statement (then 503 postgres_timeout)
LOCK_TIMEOUT_MS = 3000  # any one wait for a row, table or advisory lock (then 503 postgres_timeout)
REDIS_TIMEOUT_S = 2.0  # any one Redis command (then 503 redis_unavailable)
REDIS_CONNECT_TIMEOUT_S = 1.0
MEMCACHED_TIMEOUT_S = 2.0
# Recover fast: psycopg_pool retries a failed connection with an exponential backoff (1, 2, 4 s...)
# for reconnect_timeout (5 min by default): after a long outage a worker would wait up to the last
# delay before it tries again. Giving up after half a second instead, the pool starts a fresh
# attempt on the next request that needs a connection: a worker under load reconnects within
# about a second of Postgres coming back.
RECONNECT_TIMEOUT_S = 0.5


def registry_fingerprint() -> str:
    """Changes whenever a scenario or strategy is added or renamed."""
    names = sorted(s.key for s in scenarios.all_strategies())
    return hashlib.blake2b("\n".join(names).encode(), digest_size=6).hexdigest()


def apply_schemas(conn: Connection) -> None:
    """Every scenario's tables (the one place they are defined), in one transaction."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for scenario in scenarios.scenarios().values():
            if scenario.schema.strip():
                conn.execute(scenario.schema.encode())


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
        self._memcached: PooledClient | None = None
        self._queue: QueueClient | None = None
        self._manager: ManagerClient | None = None
        self._seeded = False
        self._schemas_applied = False  # by this process, or by the one it was forked from

    def _ensure(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return

            def configure(conn: Connection) -> None:
                if not self._schemas_applied:
                    apply_schemas(conn)
                    self._schemas_applied = True

            self._pool = ConnectionPool(
                self.settings.database_url,
                min_size=1,
                # Two per request thread: a guard may hold an advisory lock on one connection
                # while the operation it protects runs on another.
                max_size=2 * self.settings.threads + 1,
                kwargs={
                    "autocommit": True,
                    "connect_timeout": CONNECT_TIMEOUT_S,
                    "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}",
                },
                configure=configure,
                open=False,
                timeout=POOL_TIMEOUT_S,
                reconnect_timeout=RECONNECT_TIMEOUT_S,
                # A connection broken by a Postgres restart is replaced instead of failing forever.
                check=self._check_connection,
                name=f"{self.replica_id}-{os.getpid()}",
            )
            self._pool.open(wait=False)
            self._redis = Redis.from_url(
                self.settings.redis_url,
                socket_timeout=REDIS_TIMEOUT_S,
                socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
                health_check_interval=30,
                # No silent retries: redis-py would resend a command whose answer was lost (an
                # INCR applied twice) and wait seconds between tries. The caller gets a 503 and
                # the next command opens a fresh connection.
                retry=Retry(NoBackoff(), 0),
            )
            host, _, port = self.settings.memcached_url.rpartition(":")
            self._memcached = PooledClient(
                (host, int(port)),
                # pymemcache's default is noreply=True for writes: the answer (did add/cas win?)
                # is the whole point here.
                default_noreply=False,
                connect_timeout=MEMCACHED_TIMEOUT_S,
                timeout=MEMCACHED_TIMEOUT_S,
                max_pool_size=2 * self.settings.threads + 1,
            )
            self._queue = QueueClient(self.settings.amqp_url)
            # The replica's Manager (started by racelab.serve); connected on first use.
            self._manager = ManagerClient(self.replica_dir, self.settings.lab_token)
            self._pid = os.getpid()

    def _check_connection(self, conn: Connection) -> None:
        """The pool's check of a connection it hands out. One broken connection means Postgres
        restarted and every idle one is broken too: check them all now, so that their
        replacements connect at once, rather than one per request with a backoff in between."""
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            if self._pool is not None:
                self._pool.check()
            raise

    def db(self) -> ConnectionPool:
        self._ensure()
        assert self._pool is not None
        return self._pool

    def redis(self) -> Redis:
        self._ensure()
        assert self._redis is not None
        return self._redis

    def memcached(self) -> PooledClient:
        self._ensure()
        assert self._memcached is not None
        return self._memcached

    def queue(self) -> QueueClient:
        self._ensure()
        assert self._queue is not None
        return self._queue

    def manager(self) -> ManagerClient:
        self._ensure()
        assert self._manager is not None
        return self._manager

    def apply_schemas_now(self) -> None:
        """Every scenario's tables, now, on a connection of its own, remembered by the processes
        forked afterwards: for Werkzeug's ``processes=N``, which forks a child per request, and
        whose children would otherwise each apply them again (one at a time, under the schema
        lock) on their only request."""
        with Connection.connect(self.settings.database_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            apply_schemas(conn)
        self._schemas_applied = True

    def seed_once(self) -> None:
        """A fresh lab starts from every scenario's starting state, as after a reset.

        Whichever process first claims the flag does it while the others wait for it (a few
        seconds at most); the flag lives in Redis, so a lab whose Redis restarted starts over too.
        """
        if self._seeded:
            return
        client = self.redis()
        key = SEEDED_KEY + registry_fingerprint()
        if client.set(key, "seeding", nx=True, ex=SEED_TIMEOUT_S):
            ctx = Ctx(self)
            for scenario in scenarios.scenarios().values():
                params = scenario.parse_params(None)
                for strategy in scenario.strategies.values():
                    strategy.reset(ctx, params)
            client.set(key, "done")
        else:
            deadline = time.monotonic() + SEED_TIMEOUT_S
            while client.get(key) == b"seeding" and time.monotonic() < deadline:
                time.sleep(0.05)
        self._seeded = True

    def close(self) -> None:
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()


def get_resources() -> ProcessResources:
    resources: ProcessResources = current_app.extensions["racelab"]
    return resources
