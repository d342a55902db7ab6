"""One Lua script that checks the stock, decrements it and records the order inside Redis.

**Mechanism.** ``EVALSHA`` runs a script as a single command: Redis executes nothing else until
it returns. The script reads the product's stock, returns 0 when none is left (-1 when there is no
such product), and otherwise decrements it, takes the next order id and appends the order, all
without another client's command in between. redis-py's ``register_script`` sends the script's
SHA and loads the script once when Redis does not know it yet.

**Why it holds.** Check and act are one atomic step in the one shared Redis, so the stock cannot
change between them, under threads, processes and replicas alike. The cost is putting logic in
the store; scripts must stay short, since they block every other client while they run.

**Anomalies:** none. One round trip per purchase, no locks, no retries.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.inventory.operations import SoldOut, UnknownProduct
from racelab.scenarios.inventory.stores import RedisInventory

# KEYS: stock hash, order-id sequence, orders list; ARGV: product. Returns the order id (from 1),
# 0 when sold out, -1 when the product does not exist.
BUY = """
local stock = redis.call('HGET', KEYS[1], ARGV[1])
if not stock then return -1 end
if tonumber(stock) <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
local order = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[3], ARGV[1] .. ':' .. order)
return order
"""


class RedisLua(RedisInventory):
    native = True

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        # Registering only hashes the text locally; the script reaches Redis on its first NOSCRIPT.
        script = ctx.resources.redis().register_script(BUY)
        keys = [self.redis_key("stock"), self.redis_key("order-seq"), self.redis_key("orders")]
        result = int(script(keys=keys, args=[str(product)]))
        if result == -1:
            raise UnknownProduct(product)
        if result == 0:
            raise SoldOut(product, 0)
        return Outcome(result)


STRATEGY = RedisLua("redis-lua", "one Lua script: check, decrement and record the order atomically")
