"""**My shopper clicked "add to cart" on five items at once: are all five in the cart?**

A per-user race. One client, with one session, sends several "add item" requests without
waiting for the answers (several tabs, a double click, a page that fires its requests in
parallel). Where the cart lives decides what survives:

- in **Flask's default session**, a signed cookie: every request reads the cart from the cookie
  it carries and answers with a cookie holding the whole new cart. Overlapping requests all
  carried the same cookie, so each answer holds the old cart plus *its own* item, and the
  browser keeps whichever cookie arrived last: the other items are gone, even on a server that
  handles one request at a time;
- in a **server-side session** (Flask-Session in Redis): the cookie only names the session, but
  the session is still read whole when the request starts and written whole when it ends, so
  two overlapping requests of one user overwrite each other's item;
- **item by item** in a store keyed by the user (a Redis hash, a row per item in Postgres): each
  request adds one item and touches nothing else, so nothing is lost.

The workload sends a burst of "add" calls, each with its own item, all with the session the
client holds (the scenario starts it with ``open`` before the first burst). The checker compares
the items acknowledged with the cart read, at the end, with the cookies the client ended up with.
"""

from racelab.core.scenario import Operation, Scenario
from racelab.scenarios.cart.checker import ANOMALIES, check
from racelab.scenarios.cart.operations import parse_add, parse_open
from racelab.scenarios.cart.workload import CartWorkload

SCENARIO = Scenario(
    name="cart",
    title="a shopper's cart: do items added at once all stay in it?",
    question='My shopper clicked "add to cart" on five items at once: are all five in the cart?',
    operations={
        "open": Operation(
            "open",
            "start a session with an empty cart: the answer's Set-Cookie is the session (no body)",
            parse=parse_open,
        ),
        "add": Operation(
            "add",
            'add {"item": <1-64 of A-Z a-z 0-9 _ . ->} to the cart of the session in the Cookie header (none: a '
            "new session); returns how many items the cart held as this request left it "
            "(409 cookie_full: nothing added)",
            parse=parse_add,
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=CartWorkload(),
    # A guard would serialise one user's cart: the lock key is the operation, for every user alike.
    lock_keys=lambda op, args: ["cart"],
    rank=60,
    session_start="open",
)
