"""Two conditional ``UPDATE`` statements: ``balance = balance - amount WHERE ... AND balance >= amount``.

**Mechanism.** One transaction, no read in the application: the debit is
``UPDATE ... SET balance = balance - %s WHERE id = from AND balance >= %s``, the credit
``UPDATE ... SET balance = balance + %s WHERE id = to``, then the ledger row. When the debit
touches no row, the payer has too little (or does not exist): the transaction is rolled back,
the credit with it, and the request is refused (409 or 404).

**Why it holds.** Postgres computes each new balance from the row's latest committed version
while holding its row lock: a second updater waits for the first to commit, then re-reads the row
and re-checks ``balance >= amount`` (Read Committed's rule for concurrent updates). No stale number
is ever written back, and funds are checked against the balance actually debited, so no
overdraft either. The lock is shared by every process and replica because it lives in Postgres.

**Deadlocks.** Two single-row updates taken in opposite orders would deadlock like
``db-for-update-request-order``: a transfer 3 -> 7 debits 3 then credits 7 while 7 -> 3 debits 7
then credits 3. So the two statements run in account-id order (credit first when the payee has the
lower id; a failed debit rolls that credit back): every transfer locks the lower account first, and
no cycle can form.

**Anomalies:** none, no retries, no deadlocks; the cheapest correct transfer when the rule
("enough funds") fits in a ``WHERE`` clause.
"""

from typing import Any

from psycopg import Connection

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.transfer.operations import InsufficientFunds, UnknownAccount
from racelab.scenarios.transfer.stores import PostgresTransfer


class DbConditional(PostgresTransfer):
    native = True

    def transfer(self, ctx: Ctx, from_: int, to: int, amount: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            for account in sorted((from_, to)):  # account-id order: see the module docstring
                if account == from_:
                    self.debit(conn, from_, amount)
                else:
                    self.credit(conn, to, amount)
            transfer_id = self.record(conn, from_, to, amount)
        return Outcome(transfer_id)

    def debit(self, conn: Connection[Any], account: int, amount: int) -> None:
        debited = conn.execute(
            "UPDATE transfer_accounts SET balance = balance - %s WHERE strategy = %s AND id = %s AND balance >= %s",
            (amount, self.name, account, amount),
        ).rowcount
        if debited:
            return
        # Refused either way; say why. (This read only words the refusal: nothing is written.)
        row = conn.execute(
            "SELECT balance FROM transfer_accounts WHERE strategy = %s AND id = %s", (self.name, account)
        ).fetchone()
        if row is None:
            raise UnknownAccount(account)
        raise InsufficientFunds(account, int(row[0]), amount)

    def credit(self, conn: Connection[Any], account: int, amount: int) -> None:
        credited = conn.execute(
            "UPDATE transfer_accounts SET balance = balance + %s WHERE strategy = %s AND id = %s",
            (amount, self.name, account),
        ).rowcount
        if not credited:
            raise UnknownAccount(account)


STRATEGY = DbConditional("db-conditional", "UPDATE ... SET balance = balance - amount WHERE balance >= amount")
