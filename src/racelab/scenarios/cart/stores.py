"""Where a shopper's cart lives: in Flask's ``session`` itself, or in a store the session points to.

Every cart strategy serves its requests with a session interface of its own
(:mod:`racelab.app.sessions` asks it), whose cookie is scoped to the strategy's paths
(``/api/cart/<strategy>``): a browser or ``curl -b jar -c jar`` keeps one session per strategy.

- :class:`SessionCart`: the cart is a list in ``session["cart"]``. Read at the start of the
  request (``open_session``), written whole at its end (``save_session``): with Flask's signed
  cookie the whole cart travels in the cookie; with Flask-Session it travels to Redis.
- :class:`KeyedCart`: the session holds only a cart id (``session["cart_id"]``); the items are
  added one by one to a store keyed by it.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, session
from flask.sessions import SecureCookieSessionInterface, SessionInterface
from flask_session.redis import RedisSessionInterface
from redis import Redis

from racelab.core.strategy import POSTGRES, REDIS, Ctx, Outcome, Resources, Store, Strategy
from racelab.scenarios.cart.operations import CookieFull
from racelab.topology import Scope

COOKIE = Store("cookie", Scope.NONE, -1, "the client's session cookie: every request carries its own copy of the cart")
COOKIE_ATTRIBUTES = 120  # bytes a Set-Cookie needs besides name and value (path, HttpOnly...), with room
# nginx reads an answer's status line and headers into one buffer (proxy_buffer_size, 4 KB by
# default) and answers 502 "upstream sent too big header" when they do not fit: a session cookie
# must leave room for the other headers, below the 4 KB a browser keeps per cookie.
PROXY_HEADER_BUDGET = 4096 - 512


class PathCookieSessions(SecureCookieSessionInterface):
    """Flask's own signed-cookie session, its cookie scoped to one strategy's paths."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get_cookie_path(self, app: Flask) -> str:
        return self.path


def delete_prefixed(client: Redis, prefix: str) -> None:
    """Delete every key under ``prefix`` (SCAN, never KEYS: it does not block Redis)."""
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        batch.append(key)
        if len(batch) >= 500:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)


class CartStrategy(Strategy):
    """What every cart strategy shares: its session interface, and its cookie's path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cookie_sessions: PathCookieSessions | None = None

    @property
    def cookie_path(self) -> str:
        return f"/api/{self.scenario}/{self.name}"

    def cookie_sessions(self) -> PathCookieSessions:
        if self._cookie_sessions is None:
            self._cookie_sessions = PathCookieSessions(self.cookie_path)
        return self._cookie_sessions

    def session_interface(self, app: Flask, resources: Resources) -> SessionInterface:
        """Flask's signed cookie; a strategy whose session lives elsewhere replaces this."""
        return self.cookie_sessions()


class SessionCart(CartStrategy):
    """The cart is ``session["cart"]``: the code a Flask tutorial writes (read, append, assign)."""

    store = COOKIE
    # Each request reads the cart from the cookie it carries: a client's overlapping requests
    # all carry the same one, however the server serialises them.
    unsafe_alone = True

    def open(self, ctx: Ctx) -> Outcome:
        session.clear()
        session["cart"] = []
        return Outcome(0)

    def add(self, ctx: Ctx, item: str) -> Outcome:
        cart = [str(i) for i in session.get("cart", [])]
        ctx.pause()
        if item not in cart:
            cart.append(item)
            self.make_room(cart, item)
        session["cart"] = cart  # assigned whole: the session is saved whole when the request ends
        return Outcome(len(cart))

    def make_room(self, cart: list[str], item: str) -> None:
        """A cookie holds about 4 KB (less behind nginx): refuse an item that would not fit,
        writing nothing."""
        app = current_app
        serializer = self.cookie_sessions().get_signing_serializer(app)
        if serializer is None:  # no secret key: Flask itself refuses to save the session
            return
        value = serializer.dumps({**dict(session), "cart": cart})
        size = len(app.config["SESSION_COOKIE_NAME"]) + 1 + len(value) + COOKIE_ATTRIBUTES
        limit = min(int(app.config["MAX_COOKIE_SIZE"]), PROXY_HEADER_BUDGET)
        if size > limit:
            raise CookieFull(item, size, limit)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"items": sorted(str(i) for i in session.get("cart", []))}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to do: the cart is in the clients' cookies, out of the server's reach. A new
        session (``open``) starts with an empty cart."""


class ServerSessionCart(SessionCart):
    """The same view code, with Flask-Session's ``RedisSessionInterface`` serving its routes: the
    cookie carries a session id, the session (the whole cart) lives in Redis under it."""

    store = REDIS
    unsafe_alone = False  # one request at a time, each reads what the one before it saved

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._server_sessions: tuple[int, Flask, SessionInterface] | None = None

    @property
    def key_prefix(self) -> str:
        return f"racelab:cart:{self.name}:"

    def session_interface(self, app: Flask, resources: Resources) -> SessionInterface:
        """Built per process and app on first use: it holds the process's Redis client, which
        exists only after gunicorn forks."""
        built = self._server_sessions
        if built is None or built[0] != os.getpid() or built[1] is not app:
            with self._lock:
                built = self._server_sessions
                if built is None or built[0] != os.getpid() or built[1] is not app:
                    interface = RedisSessionInterface(
                        app,
                        client=resources.redis(),
                        key_prefix=self.key_prefix,
                        permanent=False,
                        serialization_format="json",
                    )
                    # Flask-Session reads the cookie's path from this method; an instance
                    # attribute scopes this strategy's cookie as the others' are.
                    path = self.cookie_path
                    interface.get_cookie_path = lambda app: path
                    built = self._server_sessions = (os.getpid(), app, interface)
        return built[2]

    def make_room(self, cart: list[str], item: str) -> None:
        """No cookie limit: the cookie holds only the session id."""

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Every session this strategy stored (a new one starts with an empty cart)."""
        delete_prefixed(ctx.resources.redis(), self.key_prefix)


class KeyedCart(CartStrategy):
    """The session holds only a cart id; each strategy keeps the items under it in its store."""

    def cart_id(self, create: bool) -> str | None:
        """The session's cart id; with ``create``, a new one when the session has none (which
        sets the session cookie in the answer)."""
        cart = session.get("cart_id")
        if isinstance(cart, str):
            return cart
        if not create:
            return None
        cart = secrets.token_hex(16)
        session["cart_id"] = cart
        return cart

    def open(self, ctx: Ctx) -> Outcome:
        session.clear()
        self.cart_id(create=True)
        return Outcome(0)

    def add(self, ctx: Ctx, item: str) -> Outcome:
        cart = self.cart_id(create=True)
        assert cart is not None
        return Outcome(self.add_item(ctx, cart, item))

    def add_item(self, ctx: Ctx, cart: str, item: str) -> int:
        """Add one item to the cart; the number of items it then holds."""
        raise NotImplementedError

    def items(self, ctx: Ctx, cart: str) -> list[str]:
        raise NotImplementedError

    def read(self, ctx: Ctx) -> dict[str, Any]:
        cart = self.cart_id(create=False)
        return {"items": [] if cart is None else sorted(self.items(ctx, cart))}


class RedisCart(KeyedCart):
    """A Redis hash per cart, ``racelab:cart:<strategy>:<cart id>``: item -> quantity."""

    store = REDIS

    def hash_key(self, cart: str) -> str:
        return f"racelab:cart:{self.name}:{cart}"

    def items(self, ctx: Ctx, cart: str) -> list[str]:
        fields = ctx.resources.redis().hkeys(self.hash_key(cart))
        return [field.decode() if isinstance(field, bytes) else str(field) for field in fields]

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        delete_prefixed(ctx.resources.redis(), f"racelab:cart:{self.name}:")


class PostgresCart(KeyedCart):
    """Rows of ``cart_items``: one per item of a cart."""

    store = POSTGRES

    def items(self, ctx: Ctx, cart: str) -> list[str]:
        with ctx.resources.db().connection() as conn:
            rows = conn.execute(
                "SELECT item FROM cart_items WHERE strategy = %s AND cart = %s", (self.name, cart)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        with ctx.resources.db().connection() as conn:
            conn.execute("DELETE FROM cart_items WHERE strategy = %s", (self.name,))
