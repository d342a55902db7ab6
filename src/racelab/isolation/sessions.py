"""Run one schedule against the real Postgres: one connection per session, each driven by its own
thread, steps issued in the schedule's order.

A step that waits for another session's lock must not stall the schedule (the step that would
release the lock comes later), so each session's statements run on its own thread, and the driver
watches them from a separate monitor connection. A statement is *blocked* when Postgres says so
(``pg_blocking_pids`` of its backend is not empty), not when it is merely slow: the verdict never
depends on timing. The driver then moves on, and collects the blocked statement's result after the
next commit or rollback. ``lock_timeout`` and ``statement_timeout`` bound everything, so a
schedule that went wrong ends in an error instead of hanging; every session is rolled back at the
end whatever happened.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import psycopg
from psycopg import sql

from racelab.isolation.model import Anomaly, Level, Observation, Record, Rows, Step

POLL_S = 0.002  # how often the driver asks whether a running statement is waiting for a lock
LOCK_TIMEOUT_MS = 5000  # a statement never waits longer for a lock (a broken schedule fails)
STATEMENT_TIMEOUT_MS = 10000


class Session:
    """One transaction's connection and the thread that runs its statements, one at a time."""

    def __init__(self, name: str, conninfo: str) -> None:
        self.name = name
        self.conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        self.conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        self.conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        self.pid = self.conn.info.backend_pid
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"isolation-{name}")
        self.reset()

    def reset(self) -> None:
        self.started = False  # BEGIN sent for the current schedule
        self.failed = False  # its transaction ended in an error: later steps are not run
        self.pending: tuple[Record, Future[list[tuple[Any, ...]]]] | None = None

    def submit(self, query: str | sql.Composed, params: tuple[Any, ...] | None = None) -> Future[list[tuple[Any, ...]]]:
        def run() -> list[tuple[Any, ...]]:
            cursor = self.conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

        return self.thread.submit(run)

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        self.conn.close()


class Driver:
    """Runs schedules on a table of its own with a fixed set of sessions (reused across runs)."""

    def __init__(self, conninfo: str, table: sql.Identifier) -> None:
        self.conninfo = conninfo
        self.table = table
        self.monitor = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        self.sessions: dict[str, Session] = {}

    def session(self, name: str) -> Session:
        if name not in self.sessions:
            self.sessions[name] = Session(name, self.conninfo)
        return self.sessions[name]

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.monitor.close()

    def query(self, text: str, condition: str = "") -> sql.Composed:
        """The statement on this run's table; a read's condition is part of the schedule, never input."""
        return sql.SQL(text).format(table=self.table, condition=sql.SQL(condition or "true"))

    # --- one schedule ------------------------------------------------------------------------

    def run(self, anomaly: Anomaly, level: Level) -> Observation:
        self.load(anomaly.rows)
        initial = self.table_rows()
        used = list(dict.fromkeys(step.session for step in anomaly.steps))
        for name in used:
            self.session(name).reset()
        records: list[Record] = []
        try:
            for step in anomaly.steps:
                records.append(self.perform(step, level))
            for name in used:
                self.settle(self.session(name), final=True)
        finally:
            self.end(used)
        return Observation(initial, records, self.table_rows(), used)

    def perform(self, step: Step, level: Level) -> Record:
        session = self.session(step.session)
        record = Record(step)
        if session.pending is not None:
            self.settle(session, final=True)  # its next statement waits for the blocked one anyway
        if session.failed:
            record.skipped = True
            return record
        if not session.started:
            # Explicit BEGIN on an autocommit connection; the snapshot comes with the first statement.
            isolation = sql.SQL("BEGIN ISOLATION LEVEL {}").format(sql.SQL(level.upper()))
            session.submit(isolation).result(timeout=STATEMENT_TIMEOUT_MS / 1000)
            session.started = True
        future = session.submit(self.query(step.sql, step.condition), step.params or None)
        blockers = self.blocked_or_done(session, future)
        if blockers:
            record.blocked, record.blocked_by = True, blockers
            session.pending = (record, future)
        else:
            self.collect(session, record, future)
        if step.kind in ("commit", "rollback"):
            for other in self.sessions.values():
                self.settle(other)  # the locks this released let blocked statements go on
        return record

    def blocked_or_done(self, session: Session, future: Future[list[tuple[Any, ...]]]) -> list[str]:
        """Wait until the statement returns (``[]``) or Postgres reports it waiting for a lock: then
        the sessions that hold the lock."""
        deadline = time.monotonic() + STATEMENT_TIMEOUT_MS / 1000 + 5
        while True:
            try:
                future.result(timeout=POLL_S)
                return []
            except FutureTimeout:
                pass
            except psycopg.Error:
                return []
            blockers = self.blockers(session.pid)
            if blockers:
                return blockers
            if time.monotonic() > deadline:  # statement_timeout failed to end it: give up loudly
                raise RuntimeError(f"{session.name}'s statement neither returned nor waited for a lock")

    def blockers(self, pid: int) -> list[str]:
        """The sessions (or "another backend") holding a lock this backend waits for."""
        row = self.monitor.execute("SELECT pg_blocking_pids(%s)", (pid,)).fetchone()
        names = {s.pid: s.name for s in self.sessions.values()}
        return [names.get(int(p), f"backend {p}") for p in (row[0] if row else [])]

    def settle(self, session: Session, final: bool = False) -> None:
        """Collect a blocked statement's result once it has returned; with ``final``, wait for it
        (bounded by the session's lock timeout) unless Postgres still reports it blocked."""
        if session.pending is None:
            return
        record, future = session.pending
        if self.blocked_or_done(session, future) and not final:
            return
        if not future.done():
            # Still waiting for a lock no later step of the schedule will release: lock_timeout ends it.
            future.exception(timeout=LOCK_TIMEOUT_MS / 1000 + 5)
        session.pending = None
        self.collect(session, record, future)

    def collect(self, session: Session, record: Record, future: Future[list[tuple[Any, ...]]]) -> None:
        try:
            rows = future.result(timeout=0)
        except psycopg.Error as exc:
            record.error = exc.sqlstate or type(exc).__name__
            record.message = str(exc).splitlines()[0] if str(exc) else ""
            session.failed = True  # Postgres aborted the transaction; a failed COMMIT ended it
            return
        if record.step.kind in ("read", "write"):
            record.rows = {int(row): int(value) for row, value in rows}
        if record.step.kind in ("commit", "rollback"):
            session.started = False

    def end(self, used: list[str]) -> None:
        """Roll back whatever is still open; sessions that were blocked return once the others end."""
        for name in sorted(used, key=lambda n: self.session(n).pending is not None):
            session = self.session(name)
            if session.pending is not None:
                session.pending[1].exception(timeout=LOCK_TIMEOUT_MS / 1000 + 5)
                session.pending = None
            session.submit("ROLLBACK").result(timeout=STATEMENT_TIMEOUT_MS / 1000)
            session.started = False

    # --- the table -----------------------------------------------------------------------------

    def load(self, rows: Rows) -> None:
        with self.monitor.transaction():
            self.monitor.execute(self.query("DELETE FROM {table}"))
            for row, value in rows.items():
                self.monitor.execute(self.query("INSERT INTO {table} (id, value) VALUES (%s, %s)"), (row, value))

    def table_rows(self) -> Rows:
        found = self.monitor.execute(self.query("SELECT id, value FROM {table} ORDER BY id")).fetchall()
        return {int(row): int(value) for row, value in found}
