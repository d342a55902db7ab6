"""The same transaction at ``SERIALIZABLE``, retried on serialization failure (40001).

**Mechanism.** Serializable Snapshot Isolation: Postgres reads a snapshot as Repeatable Read does,
and also records what each transaction read (predicate locks, which never block). When two
concurrent transactions each read what the other then writes (a cycle of read-write
dependencies), it aborts one of them with 40001, at a statement or at commit. The application
retries the whole transaction, a bounded number of times with jittered backoff (counted in
``X-Racelab-Retries``); on its next attempt the request reads the committed state, finds it is the
last doctor on call, and is refused with ``409 last_on_call``: the rule holds, and the refusal is
honest (nothing was written). A request that exhausts its retries is refused too
(``409 retries_exhausted``), also having written nothing.

**Why it holds.** The database guarantees the outcome of some serial order of the transactions,
and in every serial order the last doctor's check sees everyone else off call. It holds across
threads, processes and replicas because the detection lives in the one shared Postgres. The price:
aborted work and retries, many of them when a whole shift goes off call at once.

**Anomalies:** none; retries are the price.
"""

from psycopg import errors

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.oncall.stores import PostgresOnCall


class Serializable(PostgresOnCall):
    native = True
    isolation = "SERIALIZABLE"

    def off_call(self, ctx: Ctx, shift: int, doctor: int) -> Outcome:
        pool = ctx.resources.db()
        for attempt in RetryLoop(self.name):
            try:
                with pool.connection() as conn, conn.transaction():
                    self.begin(conn)
                    change = self.check_then_act(ctx, conn, shift, doctor)
            except errors.SerializationFailure:
                continue  # rolled back by the transaction block: nothing was written
            return Outcome(change, retries=attempt)
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = Serializable("serializable", "SERIALIZABLE, bounded retry on 40001 (then 409 last_on_call)")
