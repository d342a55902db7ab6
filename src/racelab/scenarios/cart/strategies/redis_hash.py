"""A Redis hash per cart, one field per item (``HSET``); the session holds only the cart's id.

**Mechanism.** The session (Flask's signed cookie) holds ``cart_id``, set once when the session
starts; the items live in ``racelab:cart:redis-hash:<cart id>``, item -> quantity. Adding an item
is ``HSET cart item 1`` (with ``HLEN`` for the answer, in one ``MULTI``): one field of the hash,
written by Redis in one command. The session itself is read, never written, by an "add": its
cookie does not change.

**Why it holds.** Each request changes only its own item, and Redis applies each ``HSET`` whole:
there is no read-modify-write of the cart for another request to overwrite, whatever the number
of threads, processes or replicas. Keep in the session only what does not change under the
user's feet (who they are, which cart), and the changing data in a store that updates it in
place.

**Cost.** One round trip per add; nothing in the cookie grows.

**Anomalies:** none.
"""

from racelab.core.strategy import Ctx
from racelab.scenarios.cart.stores import RedisCart


class RedisHash(RedisCart):
    native = True

    def add_item(self, ctx: Ctx, cart: str, item: str) -> int:
        pipe = ctx.resources.redis().pipeline(transaction=True)
        pipe.hset(self.hash_key(cart), item, 1)
        pipe.hlen(self.hash_key(cart))
        _, size = pipe.execute()
        return int(size)


STRATEGY = RedisHash("redis-hash", "a Redis hash per cart: HSET one field per item")
