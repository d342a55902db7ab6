"""A Hermitage-style test as data: the rows it starts from, its sessions' steps in order, and what
each step observed when it ran.

A schedule is a fixed interleaving of two or three transactions (``T1``, ``T2``, ``T3``) on a
table of ``(id, value)`` rows. Every step is one statement of one session. Reads carry, besides
their SQL, the same predicate in Python (``where``), so that a checker can ask what a read *would*
have returned in some other order of the transactions; writes end in ``RETURNING id, value``, so
what they changed is observed, not assumed. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Level = Literal["read committed", "repeatable read", "serializable"]
LEVELS: tuple[Level, ...] = ("read committed", "repeatable read", "serializable")

Rows = dict[int, int]  # id -> value
Where = Callable[[int, int], bool]  # (id, value) -> does the read select this row?
Kind = Literal["read", "write", "commit", "rollback"]

# The failures a database uses to refuse a schedule it cannot run safely: the transaction is
# rolled back and may be retried. Any other error means the test itself went wrong.
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
REFUSALS = {SERIALIZATION_FAILURE: "serialization failure", DEADLOCK_DETECTED: "deadlock detected"}


@dataclass(frozen=True)
class Step:
    """One statement of one session. ``sql`` names the table ``{table}`` (and a read's ``{condition}``)."""

    session: str
    kind: Kind
    text: str  # how the trace shows it: "read id 1", "set 1 => 11", "commit"
    sql: str = ""
    params: tuple[int | list[int], ...] = ()
    where: Where | None = None  # reads only: the rows the statement selects, in Python
    condition: str = ""  # reads only: the same in SQL, for ``{condition}`` in ``sql``


READ = "SELECT id, value FROM {table} WHERE {condition} ORDER BY id"


def read_ids(session: str, *ids: int) -> Step:
    shown = ", ".join(str(i) for i in ids)
    return Step(session, "read", f"read id {shown}", READ, (list(ids),), lambda row, value: row in ids, "id = ANY(%s)")


def read_all(session: str) -> Step:
    return Step(session, "read", "read all", READ, (), lambda row, value: True, "true")


def read_where(session: str, condition: str, where: Where) -> Step:
    """A predicate read: ``condition`` is the SQL condition on ``value``, ``where`` the same in Python."""
    return Step(session, "read", f"read where {condition}", READ, (), where, condition)


def update(session: str, row: int, value: int) -> Step:
    return Step(
        session,
        "write",
        f"set {row} => {value}",
        "UPDATE {table} SET value = %s WHERE id = %s RETURNING id, value",
        (value, row),
    )


def insert(session: str, row: int, value: int) -> Step:
    return Step(
        session,
        "write",
        f"insert {row} => {value}",
        "INSERT INTO {table} (id, value) VALUES (%s, %s) RETURNING id, value",
        (row, value),
    )


def commit(session: str) -> Step:
    return Step(session, "commit", "commit", "COMMIT")


def rollback(session: str) -> Step:
    return Step(session, "rollback", "rollback", "ROLLBACK")


@dataclass
class Record:
    """What one step did when it ran."""

    step: Step
    rows: Rows | None = None  # what a read returned, or what a write changed
    error: str | None = None  # SQLSTATE of the error it ended in
    message: str = ""
    blocked: bool = False  # seen waiting for another session's lock before it returned
    blocked_by: list[str] = field(default_factory=list)  # the sessions holding that lock
    skipped: bool = False  # not run: its session's transaction had already failed

    @property
    def ok(self) -> bool:
        return not self.skipped and self.error is None

    def trace(self) -> str:
        """One line of the trace: ``T2 set 1 => 12: blocked, then 40001 could not serialize...``."""
        text = f"{self.step.session} {self.step.text}"
        if self.skipped:
            return f"{text}: not run (transaction already failed)"
        parts = [f"blocked by {' and '.join(self.blocked_by) or 'another session'}"] if self.blocked else []
        if self.error:
            parts.append(f"{self.error} {self.message}".strip())
        elif self.step.kind == "read":
            parts.append(show_rows(self.rows or {}) or "no rows")
        elif self.step.kind == "write":
            parts.append(f"wrote {show_rows(self.rows or {})}" if self.rows else "changed no row")
        else:
            parts.append("ok")
        return f"{text}: {', then '.join(parts)}"


def show_rows(rows: Rows) -> str:
    return ", ".join(f"{row} => {value}" for row, value in sorted(rows.items()))


@dataclass
class Observation:
    """Everything one run of a schedule at one isolation level showed."""

    initial: Rows
    records: list[Record]
    final: Rows | None  # the table once every session had finished (None: unreadable)
    sessions: list[str] = field(default_factory=list)  # in order of first appearance

    def __post_init__(self) -> None:
        if not self.sessions:
            self.sessions = list(dict.fromkeys(r.step.session for r in self.records))


@dataclass(frozen=True)
class Anomaly:
    """One classic anomaly: its schedule, and the check that recognises it in what was observed.

    ``check`` returns what it saw when the anomaly happened (a sentence), else ``None``.
    ``prevented_from`` is PostgreSQL's documented claim: the weakest level that rules it out.
    """

    name: str
    title: str
    rows: Rows
    steps: tuple[Step, ...]
    check: Callable[[Observation], str | None]
    prevented_from: Level
    rank: int
    explanation: str = ""

    def documented(self, level: Level) -> Literal["possible", "prevented"]:
        return "prevented" if LEVELS.index(level) >= LEVELS.index(self.prevented_from) else "possible"
