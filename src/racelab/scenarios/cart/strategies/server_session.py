"""Flask-Session's server-side session in Redis: the same view, the cart stored under a session id.

**Mechanism.** The view is the ``cookie-session`` one, word for word (``session["cart"] =
cart + [item]``); only the session interface differs. Flask-Session's ``RedisSessionInterface``
puts a random session id in the cookie and the session itself in Redis: when a request starts,
``open_session`` reads the whole session (``GET``); when it ends, ``save_session`` writes the
whole session back (``SET``). Here it serves this strategy's routes only.

**One request at a time.** Holds: each request reads what the one before it saved. Moving the
cart to the server fixes the stale-cookie problem: every request now names the same session.

**Threads, processes, replicas.** Fails. The session is still one value, read at the start of
a request and written at its end: a read-modify-write that spans the whole view. Two requests of
one user that overlap both read the cart without the other's item, and the later ``SET`` wins.
Flask-Session takes no lock (by design: a lock per session would serialise a user's requests).

**Cost.** A Redis ``GET`` and ``SET`` per request, whatever the request touches.

**Anomalies:** lost items under any server concurrency.
"""

from racelab.scenarios.cart.stores import ServerSessionCart

STRATEGY = ServerSessionCart("server-session", "Flask-Session in Redis: the whole session read, then written")
