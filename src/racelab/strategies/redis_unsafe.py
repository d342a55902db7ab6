"""Redis ``GET``, add one in Python, then ``SET``.

**Mechanism.** Redis executes each command atomically, one at a time, but two commands from one
client are not a transaction. Between this request's ``GET`` and ``SET`` any other client's
``GET`` sees the same value.

**Why it fails.** Same shape as ``db-unsafe``: the store is shared and single-threaded, the
arithmetic happens in the application, and two requests both write 42.

**Anomalies:** duplicate values and lost updates under any concurrency.
"""

from racelab.strategies.base import Ctx, Outcome, RedisStrategy
from racelab.topology import Scope


class RedisUnsafe(RedisStrategy):
    name = "redis-unsafe"
    safe_up_to = Scope.NONE
    summary = "GET, then SET value + 1"

    def next(self, ctx: Ctx) -> Outcome:
        return Outcome(self.get_then_set(ctx))


STRATEGY = RedisUnsafe()
