"""The same check-then-insert against a table with ``UNIQUE (strategy, username)``, inserting with
``ON CONFLICT DO NOTHING RETURNING id``.

**Mechanism.** The handler still looks the name up first (a cheap, friendly 409 for a name taken
long ago), still pauses, and still inserts; but the table carries a unique constraint, and the
insert is ``INSERT ... ON CONFLICT (strategy, username) DO NOTHING RETURNING id``. When the name
is free the row is created and its id returned; when it is not, no row comes back and the caller
gets a clean 409 ``username_taken``.

**Why it holds.** The race in the check is still there: twenty requests can all find ``alice``
free. But the unique index has the last word. The first insert takes the index entry; the
others find it (waiting, if the first has not committed yet, for its commit) and insert
nothing. The database enforces the rule for every process, replica, batch job and admin
console, so it cannot be forgotten. This is *protect* rather than *prevent*: the race still
happens, its harm is refused. Without ``ON CONFLICT`` the losers would get a unique-violation
error (SQLSTATE 23505) to turn into the same 409.

**Anomalies:** none. The cheapest correct answer: no locks held, no retries.
"""

from typing import Any

from psycopg import Connection, sql

from racelab.scenarios.signup.stores import PostgresSignup


class DbUnique(PostgresSignup):
    native = True
    table = "signup_unique_accounts"

    def insert(self, conn: Connection[Any], username: str) -> int | None:
        query = sql.SQL(
            "INSERT INTO {} (strategy, username) VALUES (%s, %s)"
            " ON CONFLICT (strategy, username) DO NOTHING RETURNING id"
        ).format(sql.Identifier(self.table))
        row = conn.execute(query, (self.name, username)).fetchone()
        return None if row is None else int(row[0])


STRATEGY = DbUnique("db-unique", "UNIQUE (strategy, username) + INSERT ... ON CONFLICT DO NOTHING RETURNING id")
