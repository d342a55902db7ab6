"""The counter kept on Flask's ``g``: ``g.counter = g.get("counter", 0) + 1``.

**Mechanism.** ``flask.g`` looks like a global: importable anywhere, attributes set in one place
and read in another. It is not one. ``g`` belongs to the *application context*, which Flask
pushes for each request and throws away when the request ends. Every request starts with an
empty ``g``, so every caller reads 0 and gets 1, and the state read (itself a request) sees 0.

**Why it fails everywhere.** No race is needed: two calls one after the other, on one thread of
one process, both get 1. ``g`` is for data *within* one request (a database connection opened
by ``get_db()``, the user loaded by a ``before_request`` hook) so that the view and the helpers it
calls share it; it is never a way to share data *between* requests. A lock cannot fix that:
there is nothing shared to protect. Use a store that outlives the request (Postgres, Redis).

**Cost.** Nothing at all: it does nothing useful.

**Anomalies:** duplicate values (everyone gets 1) and lost updates (the final value is 0).
"""

from collections.abc import Mapping
from typing import Any

from flask import g

from racelab.core.strategy import Ctx, Outcome, Store, Strategy
from racelab.topology import Scope

FLASK_G = Store("flask.g", Scope.NONE, 0, "Flask's g: one request's scratch space, fresh for every request")


class FlaskG(Strategy):
    store = FLASK_G
    unsafe_alone = True  # every request has its own g: wrong even one call at a time

    def next(self, ctx: Ctx) -> Outcome:
        current = int(g.get("counter", 0))
        ctx.pause()
        g.counter = current + 1
        return Outcome(g.counter)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"value": int(g.get("counter", 0))}  # a new request, a new g: always 0

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to reset: ``g`` is gone when each request ends."""


STRATEGY = FlaskG("flask-g", "the counter on flask.g (one request's context)")
