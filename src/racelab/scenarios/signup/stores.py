"""The signup's plain check-then-insert in each store: look the name up, refuse when it is taken,
pause, create the account.

The harm is not in any one write but in the *check*: under Read Committed (and between two Redis
commands) nothing stops two requests for the same name from both finding it free, and each then
creates its account. Two people are told "your account is created" for one username, and the
table holds two rows for it: the next login, password reset or payout picks one of them.

Guarded strategies run this same code inside their guard; the store-native ones subclass these
classes and replace a step (the table and its insert for the ``UNIQUE`` constraint, the claim
for Redis's ``SET NX``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from psycopg import Connection, sql

from racelab.core.strategy import POSTGRES, REDIS, Ctx, Outcome, Strategy
from racelab.scenarios.signup.operations import UsernameTaken


def state(accounts: list[tuple[int, str]]) -> dict[str, Any]:
    """The state as every strategy reports it: its accounts as ``[id, username]``, in id order."""
    return {"accounts": [[int(account), str(username)] for account, username in sorted(accounts)]}


def text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class PostgresSignup(Strategy):
    """Rows of ``signup_accounts`` (no unique constraint) where ``strategy`` is this one's name."""

    store = POSTGRES
    table: ClassVar[str] = "signup_accounts"

    def register(self, ctx: Ctx, username: str) -> Outcome:
        # One transaction, as a web framework's request usually is: it does not make the check
        # and the insert atomic (Read Committed), and the new row is visible only at the commit.
        with ctx.resources.db().connection() as conn, conn.transaction():
            account = self.check_then_insert(ctx, conn, username)
        return Outcome(account)  # only once the commit has succeeded

    def check_then_insert(self, ctx: Ctx, conn: Connection[Any], username: str) -> int:
        """The plain sign-up; returns the new account's id."""
        if self.taken(conn, username):
            raise UsernameTaken(username)
        ctx.pause()
        account = self.insert(conn, username)
        if account is None:
            raise UsernameTaken(username)
        return account

    def taken(self, conn: Connection[Any], username: str) -> bool:
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE strategy = %s AND username = %s)").format(
            sql.Identifier(self.table)
        )
        row = conn.execute(query, (self.name, username)).fetchone()
        return bool(row and row[0])

    def insert(self, conn: Connection[Any], username: str) -> int | None:
        """The new account's id; None when the store itself refused the name (see ``db-unique``)."""
        query = sql.SQL("INSERT INTO {} (strategy, username) VALUES (%s, %s) RETURNING id").format(
            sql.Identifier(self.table)
        )
        row = conn.execute(query, (self.name, username)).fetchone()
        assert row is not None, "INSERT ... RETURNING returns the row"
        return int(row[0])

    def read(self, ctx: Ctx) -> dict[str, Any]:
        query = sql.SQL("SELECT id, username FROM {} WHERE strategy = %s ORDER BY id").format(
            sql.Identifier(self.table)
        )
        with ctx.resources.db().connection() as conn:
            rows = conn.execute(query, (self.name,)).fetchall()
        return state([(int(account), str(username)) for account, username in rows])

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """No accounts at all."""
        query = sql.SQL("DELETE FROM {} WHERE strategy = %s").format(sql.Identifier(self.table))
        with ctx.resources.db().connection() as conn:
            conn.execute(query, (self.name,))


class RedisSignup(Strategy):
    """Three kinds of Redis keys per strategy: an id sequence (``INCR``), a hash of accounts
    (id -> username), and one key per taken name (``name:<username>`` -> id)."""

    store = REDIS

    @property
    def prefix(self) -> str:
        return f"racelab:signup:{self.name}"

    def name_key(self, username: str) -> str:
        return f"{self.prefix}:name:{username}"

    def register(self, ctx: Ctx, username: str) -> Outcome:
        client = ctx.resources.redis()
        if client.exists(self.name_key(username)):
            raise UsernameTaken(username)
        ctx.pause()
        account = int(client.incr(f"{self.prefix}:ids"))
        if not self.claim(ctx, username, account):
            raise UsernameTaken(username)  # only an id was used up: no account, no name
        client.hset(f"{self.prefix}:accounts", str(account), username)
        return Outcome(account)

    def claim(self, ctx: Ctx, username: str, account: int) -> bool:
        """Mark the name as this account's; False when the store itself refused (see ``redis-setnx``)."""
        ctx.resources.redis().set(self.name_key(username), account)
        return True

    def read(self, ctx: Ctx) -> dict[str, Any]:
        raw = ctx.resources.redis().hgetall(f"{self.prefix}:accounts")
        return state([(int(account), text(username)) for account, username in raw.items()])

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """No accounts, no taken names, ids from 1 again."""
        client = ctx.resources.redis()
        names = list(client.scan_iter(match=f"{self.prefix}:name:*", count=1000))
        client.delete(f"{self.prefix}:ids", f"{self.prefix}:accounts", *names)
