"""Redis ``SET name:<username> <id> NX`` as the claim: only one request can create the name's key.

**Mechanism.** The plain flow (``EXISTS`` as a cheap early 409, pause, ``INCR`` an id), except
that the name is *claimed* with ``SET ... NX``, which creates the key only if it does not exist
and says whether it did. The request whose ``SET NX`` succeeded stores its account in the hash;
every other one answers 409 ``username_taken`` (its drawn id is simply never used).

**Why it holds.** Redis executes ``SET NX`` as one command on its single thread: of all the
requests that found the name free, exactly one creates the key, whichever process or replica it
came from. It is Redis's unique constraint. The claim and the account are two commands, though:
a process that dies between them leaves a name claimed by an account that was never stored (the
caller got no answer, so nobody was told otherwise). A Lua script doing both would close that
gap (``MULTI`` would not: it cannot make the second command depend on the first one's answer).

**Anomalies:** none.
"""

from racelab.core.strategy import Ctx
from racelab.scenarios.signup.stores import RedisSignup


class RedisSetnx(RedisSignup):
    native = True

    def claim(self, ctx: Ctx, username: str, account: int) -> bool:
        return bool(ctx.resources.redis().set(self.name_key(username), account, nx=True))


STRATEGY = RedisSetnx("redis-setnx", "EXISTS, then INCR an id and claim the name with SET NX")
