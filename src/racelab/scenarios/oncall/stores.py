"""The oncall scenario's plain check-then-act in Postgres, in one transaction at the strategy's
isolation level: count the *other* doctors of the shift still on call, refuse when there are
none, pause, take this doctor off call and record the change.

The check reads rows the write does not touch: doctor A's request reads B's row and writes A's,
B's request reads A's row and writes B's. No row is written twice, so row locks never meet, no
update is lost, and Read Committed and Repeatable Read (snapshot isolation) both let the two
transactions commit, each having seen the other doctor still on call: *write skew*. Only
Serializable tracks what a transaction read, and a lock on the rows read (``FOR UPDATE``) makes the
second request wait and look again.

The strategies subclass :class:`PostgresOnCall`, setting the isolation level or replacing
:meth:`~PostgresOnCall.off_call`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from psycopg import Connection, sql

from racelab.core.strategy import POSTGRES, Ctx, Outcome, Strategy
from racelab.scenarios.oncall.operations import LastOnCall, NotOnCall, UnknownDoctor


class PostgresOnCall(Strategy):
    """Rows of ``oncall_doctors`` and ``oncall_changes`` where ``strategy`` is this one's name."""

    store = POSTGRES
    isolation: ClassVar[str] = "READ COMMITTED"

    def off_call(self, ctx: Ctx, shift: int, doctor: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            self.begin(conn)
            change = self.check_then_act(ctx, conn, shift, doctor)
        return Outcome(change)  # only once the commit has succeeded

    def begin(self, conn: Connection[Any]) -> None:
        """The isolation level, as the transaction's first statement."""
        conn.execute(sql.SQL("SET TRANSACTION ISOLATION LEVEL {}").format(sql.SQL(self.isolation)))

    def check_then_act(self, ctx: Ctx, conn: Connection[Any], shift: int, doctor: int) -> int:
        """The rule's check on a plain read, then the write; returns the change's id."""
        return self.unless_last(ctx, conn, shift, doctor, self.on_call(conn, shift, doctor))

    def unless_last(self, ctx: Ctx, conn: Connection[Any], shift: int, doctor: int, on_call: set[int]) -> int:
        """Refuse unless another doctor is on call (``on_call``: as the check read it), then take
        this doctor off call and record the change."""
        if doctor not in on_call:
            raise NotOnCall(shift, doctor)
        if len(on_call) < 2:
            raise LastOnCall(shift, doctor)
        ctx.pause()
        conn.execute(
            "UPDATE oncall_doctors SET on_call = false WHERE strategy = %s AND shift = %s AND doctor = %s",
            (self.name, shift, doctor),
        )
        row = conn.execute(
            "INSERT INTO oncall_changes (strategy, shift, doctor) VALUES (%s, %s, %s) RETURNING id",
            (self.name, shift, doctor),
        ).fetchone()
        assert row is not None, "INSERT ... RETURNING returns the row"
        return int(row[0])

    def on_call(self, conn: Connection[Any], shift: int, doctor: int, lock: bool = False) -> set[int]:
        """The doctors of the shift on call now (UnknownDoctor when the doctor is not in it);
        ``lock`` reads the shift's rows ``FOR UPDATE``."""
        query = "SELECT doctor, on_call FROM oncall_doctors WHERE strategy = %s AND shift = %s ORDER BY doctor"
        # FOR UPDATE in doctor order: every request locks the shift's rows in one order, so none deadlock.
        rows = conn.execute(query + (" FOR UPDATE" if lock else ""), (self.name, shift)).fetchall()
        doctors = {int(d): bool(on) for d, on in rows}
        if doctor not in doctors:
            raise UnknownDoctor(shift, doctor)
        return {d for d, on in doctors.items() if on}

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """Doctors off call and the changes, from ONE snapshot (read while requests run)."""
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            size = conn.execute(
                "SELECT count(*) FROM oncall_doctors WHERE strategy = %s AND shift = 0", (self.name,)
            ).fetchone()
            off = conn.execute(
                "SELECT shift, doctor FROM oncall_doctors WHERE strategy = %s AND NOT on_call ORDER BY shift, doctor",
                (self.name,),
            ).fetchall()
            changes = conn.execute(
                "SELECT id, shift, doctor FROM oncall_changes WHERE strategy = %s ORDER BY id", (self.name,)
            ).fetchall()
        return state(int(size[0]) if size else 0, [(int(s), int(d)) for s, d in off], changes)

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """``shifts`` shifts of ``doctors`` doctors each, everyone on call; no changes."""
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("DELETE FROM oncall_changes WHERE strategy = %s", (self.name,))
            conn.execute("DELETE FROM oncall_doctors WHERE strategy = %s", (self.name,))
            conn.execute(
                "INSERT INTO oncall_doctors (strategy, shift, doctor, on_call)"
                " SELECT %s, s, d, true FROM generate_series(0, %s - 1) AS s, generate_series(0, %s - 1) AS d",
                (self.name, int(params["shifts"]), int(params["doctors"])),
            )


def state(doctors: int, off: list[tuple[int, int]], changes: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Doctors per shift, and the shifts anyone went off call in: the doctors off call and the
    changes recorded (``[id, doctor]``). Untouched shifts are left out, so a read stays small."""
    shifts: dict[str, dict[str, list[Any]]] = {}
    for shift, doctor in off:
        shifts.setdefault(str(shift), {"off_call": [], "changes": []})["off_call"].append(doctor)
    for change, shift, doctor in changes:
        shifts.setdefault(str(int(shift)), {"off_call": [], "changes": []})["changes"].append(
            [int(change), int(doctor)]
        )
    return {"doctors": doctors, "shifts": shifts}
