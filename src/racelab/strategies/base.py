"""What every strategy shares: the request context, the stores' plumbing, and the result type.

A strategy is one module in this package exposing ``STRATEGY``, an instance of a
:class:`Strategy` subclass. Its module docstring is the explanation shown by the API, the Locust
UI and the report, so it is written once, next to the code it explains.
"""

from __future__ import annotations

import fcntl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from racelab.topology import Scope

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool
    from redis import Redis

EPOCH_KEY = "racelab:epoch"


class Resources(Protocol):
    """What a strategy may touch; the app builds one per worker process."""

    replica_id: str
    replica_dir: Path

    def db(self) -> ConnectionPool: ...

    def redis(self) -> Redis: ...


@dataclass
class Ctx:
    """One request's view of the world: the process's resources and the race window."""

    resources: Resources
    race_window_s: float = 0.0

    def pause(self) -> None:
        """The gap between read and write.

        ``time.sleep(0)`` still releases the GIL, as any real handler does between a read and a
        write (a log line, a query): that is what lets other threads in at a window of zero.
        """
        time.sleep(self.race_window_s)

    def epoch(self) -> int:
        """The lab's reset generation, shared by every process of every replica."""
        raw = self.resources.redis().get(EPOCH_KEY)
        return int(raw) if raw is not None else 0


@dataclass
class Outcome:
    """What one increment handed out, and what it cost."""

    value: int
    retries: int = 0
    wait_ms: float = 0.0


class RetriesExhausted(Exception):
    """A bounded retry loop gave up; the increment was rolled back, so it definitely failed."""

    def __init__(self, strategy: str, attempts: int) -> None:
        super().__init__(f"{strategy}: gave up after {attempts} conflicting attempts; nothing was written")
        self.attempts = attempts


class Strategy:
    """One way of handing out the next counter value."""

    name: ClassVar[str]
    scenario: ClassVar[str] = "counter"
    store: ClassVar[str]  # memory | postgres | redis | file
    safe_up_to: ClassVar[Scope]  # the widest concurrency it stays correct under
    summary: ClassVar[str]  # one line for tables

    def next(self, ctx: Ctx) -> Outcome:
        raise NotImplementedError

    def read(self, ctx: Ctx) -> int:
        raise NotImplementedError

    def reset(self, ctx: Ctx) -> None:
        """Reset shared state. In-process state resets itself when it sees a new epoch."""

    def expected(self, scope: Scope) -> str:
        return "holds" if self.safe_up_to >= scope else "fails"


# --- in-process memory -------------------------------------------------------------------------


class EpochCell:
    """An integer living in one process that returns to zero when the lab's epoch changes.

    A reset request reaches one worker of one replica; every other process notices the new epoch
    on its next request and starts again from zero.
    """

    def __init__(self) -> None:
        self.value = 0
        self.epoch: int | None = None

    def sync(self, epoch: int) -> None:
        if epoch != self.epoch:
            self.value, self.epoch = 0, epoch


class MemoryStrategy(Strategy):
    store = "memory"

    def __init__(self) -> None:
        self.cell = EpochCell()

    def read(self, ctx: Ctx) -> int:
        self.cell.sync(ctx.epoch())
        return self.cell.value

    def read_modify_write(self, ctx: Ctx, epoch: int) -> int:
        cell = self.cell
        cell.sync(epoch)
        current = cell.value
        ctx.pause()
        cell.value = current + 1
        return current + 1


# --- Postgres ----------------------------------------------------------------------------------


class PostgresStrategy(Strategy):
    """Each strategy owns one row of ``counters``, so strategies never disturb each other."""

    store = "postgres"

    def read(self, ctx: Ctx) -> int:
        with ctx.resources.db().connection() as conn:
            row = conn.execute("SELECT value FROM counters WHERE name = %s", (self.name,)).fetchone()
        return int(row[0]) if row else 0

    def reset(self, ctx: Ctx) -> None:
        with ctx.resources.db().connection() as conn:
            conn.execute(
                "INSERT INTO counters (name, value, version) VALUES (%s, 0, 0)"
                " ON CONFLICT (name) DO UPDATE SET value = 0, version = 0",
                (self.name,),
            )

    def select_then_update(self, conn: Connection, ctx: Ctx, lock_clause: str = "") -> int:
        """Read, pause, write back read + 1: the read-modify-write that the unsafe strategies race on."""
        row = conn.execute(f"SELECT value FROM counters WHERE name = %s {lock_clause}", (self.name,)).fetchone()
        current = int(row[0])
        ctx.pause()
        conn.execute("UPDATE counters SET value = %s WHERE name = %s", (current + 1, self.name))
        return current + 1

    def locked_read_modify_write(self, ctx: Ctx, lock_sql: str, params: tuple[object, ...]) -> Outcome:
        """In one transaction: take a database lock (timing the wait), then read-modify-write.

        The lock lives in Postgres, so it is shared by every process and replica, and it is
        released by the commit, so a pooled connection never carries it into another request.
        """
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            conn.execute(lock_sql, params)
            waited_ms = (time.perf_counter() - started) * 1000
            value = self.select_then_update(conn, ctx)
        return Outcome(value, wait_ms=waited_ms)


# --- Redis -------------------------------------------------------------------------------------


class RedisStrategy(Strategy):
    store = "redis"

    @property
    def key(self) -> str:
        return f"racelab:counter:{self.name}"

    def read(self, ctx: Ctx) -> int:
        raw = ctx.resources.redis().get(self.key)
        return int(raw) if raw is not None else 0

    def reset(self, ctx: Ctx) -> None:
        ctx.resources.redis().delete(self.key)

    def get_then_set(self, ctx: Ctx) -> int:
        client = ctx.resources.redis()
        raw = client.get(self.key)
        current = int(raw) if raw is not None else 0
        ctx.pause()
        client.set(self.key, current + 1)
        return current + 1


# --- files -------------------------------------------------------------------------------------


class FileStrategy(Strategy):
    """A counter in a file in the replica's own directory, stored as ``"<epoch> <value>"``."""

    store = "file"

    def path(self, ctx: Ctx) -> Path:
        return ctx.resources.replica_dir / f"{self.name}.counter"

    @staticmethod
    def parse(text: str, epoch: int) -> int:
        parts = text.split()
        if len(parts) == 2 and int(parts[0]) == epoch:
            return int(parts[1])
        return 0  # empty file, or written before the last reset

    def read(self, ctx: Ctx) -> int:
        epoch = ctx.epoch()
        path = self.path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            handle.seek(0)
            return self.parse(handle.read(), epoch)
