"""The transfer's plain read-then-write in Postgres: read both balances, check funds, pause, write
both balances back as numbers computed in Python, record the transfer.

All of it runs in one transaction, so a reader never sees half a transfer (a debit without its
credit, or balances without their ledger row): the race is not in the writes but in the *stale
read*. Under Read Committed nothing stops two transfers from reading the same balance; the second
one to commit writes a number computed from a balance that no longer exists, and the first one's
debit or credit vanishes although its ledger row stays. That is a lost update, and it creates or
destroys money.

The two balances are written in account-id order, in every strategy built on this code: two
transfers in opposite directions then queue on the same first row instead of each holding the
row the other needs. Without that order the plain strategy would also deadlock (Postgres would
abort one of them after ``deadlock_timeout``), which hides the lost update behind a slower, noisier
failure. ``db-for-update-request-order`` shows that deadlock on purpose.

Guarded strategies run this same code inside their guard; the store-native ones subclass
:class:`PostgresTransfer` and replace :meth:`~PostgresTransfer.transfer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import Connection

from racelab.core.strategy import POSTGRES, Ctx, Outcome, Strategy
from racelab.scenarios.transfer.operations import InsufficientFunds, UnknownAccount


def require_accounts(balances: Mapping[int, int], *accounts: int) -> None:
    """Both accounts exist in this strategy's rows (ids beyond this lab's ``accounts`` do not)."""
    for account in accounts:
        if account not in balances:
            raise UnknownAccount(account)


def require_funds(balances: Mapping[int, int], payer: int, amount: int) -> None:
    if balances[payer] < amount:
        raise InsufficientFunds(payer, balances[payer], amount)


class PostgresTransfer(Strategy):
    """Rows of ``transfer_accounts`` and ``transfer_ledger`` where ``strategy`` is this one's name."""

    store = POSTGRES

    def transfer(self, ctx: Ctx, from_: int, to: int, amount: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            transfer_id = self.read_then_write(ctx, conn, from_, to, amount)
        return Outcome(transfer_id)  # only once the commit has succeeded

    def read_then_write(self, ctx: Ctx, conn: Connection[Any], from_: int, to: int, amount: int) -> int:
        """The plain transfer inside the caller's transaction; returns the new transfer's id."""
        balances = self.balances(conn, from_, to)
        require_funds(balances, from_, amount)
        ctx.pause()
        return self.write(conn, from_, to, amount, balances)

    def balances(self, conn: Connection[Any], from_: int, to: int) -> dict[int, int]:
        """Both balances, read without locks (what every other transaction may be reading too)."""
        rows = conn.execute(
            "SELECT id, balance FROM transfer_accounts WHERE strategy = %s AND id IN (%s, %s)",
            (self.name, from_, to),
        ).fetchall()
        found = {int(account): int(balance) for account, balance in rows}
        require_accounts(found, from_, to)
        return found

    def write(self, conn: Connection[Any], from_: int, to: int, amount: int, balances: Mapping[int, int]) -> int:
        """Both balances as absolute values computed from ``balances``, then the ledger row."""
        new = {from_: balances[from_] - amount, to: balances[to] + amount}
        for account in sorted(new):  # account-id order: see the module docstring
            conn.execute(
                "UPDATE transfer_accounts SET balance = %s WHERE strategy = %s AND id = %s",
                (new[account], self.name, account),
            )
        return self.record(conn, from_, to, amount)

    def record(self, conn: Connection[Any], from_: int, to: int, amount: int) -> int:
        row = conn.execute(
            "INSERT INTO transfer_ledger (strategy, from_account, to_account, amount)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            (self.name, from_, to, amount),
        ).fetchone()
        assert row is not None, "INSERT ... RETURNING returns the row"
        return int(row[0])

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """Balances and ledger from ONE snapshot: read while transfers run, a safe strategy must
        never look broken because its balances and its ledger were read at different moments."""
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            accounts = conn.execute(
                "SELECT id, balance FROM transfer_accounts WHERE strategy = %s ORDER BY id", (self.name,)
            ).fetchall()
            ledger = conn.execute(
                "SELECT id, from_account, to_account, amount FROM transfer_ledger WHERE strategy = %s ORDER BY id",
                (self.name,),
            ).fetchall()
        return {
            "balances": {str(account): int(balance) for account, balance in accounts},
            "ledger": [[int(tid), int(source), int(target), int(amount)] for tid, source, target, amount in ledger],
        }

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """``accounts`` accounts numbered from 1, each holding ``balance``; an empty ledger."""
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("DELETE FROM transfer_ledger WHERE strategy = %s", (self.name,))
            conn.execute("DELETE FROM transfer_accounts WHERE strategy = %s", (self.name,))
            conn.execute(
                "INSERT INTO transfer_accounts (strategy, id, balance)"
                " SELECT %s, n, %s FROM generate_series(1, %s) AS n",
                (self.name, int(params["balance"]), int(params["accounts"])),
            )
