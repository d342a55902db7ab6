"""Flask's ``session``, chosen per strategy: a strategy may bring its own session interface.

Flask opens one session per request through ``app.session_interface``, and extensions such as
Flask-Session replace that interface for the whole app. The cart scenario compares session
backends side by side, so :class:`StrategySessions` asks the strategy a request is addressed to
(``/api/<scenario>/<strategy>/...``) for its interface, and gives every other request Flask's
own signed cookie, which stays empty (and sets no cookie) where nothing uses it.

The session is opened before Flask matches the URL (``RequestContext.push``), so the strategy is
found from the path rather than from the view's arguments.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol, runtime_checkable

from flask import Flask, Request, Response
from flask import request as current_request
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin

from racelab import scenarios
from racelab.core.context import Resources
from racelab.settings import AppSettings


@runtime_checkable
class OwnSessions(Protocol):
    """A strategy whose routes use a session interface of their own."""

    def session_interface(self, app: Flask, resources: Resources) -> SessionInterface: ...


class StrategySessions(SessionInterface):
    """Delegates each request to its strategy's session interface, else to Flask's default."""

    def __init__(self, fallback: SessionInterface | None = None) -> None:
        self.fallback = fallback or SecureCookieSessionInterface()

    def pick(self, app: Flask, request: Request) -> SessionInterface:
        parts = request.path.split("/", 4)  # "", "api", scenario, strategy, operation...
        if len(parts) < 4 or parts[1] != "api":
            return self.fallback
        scenario = scenarios.scenarios().get(parts[2])
        strategy = scenario.strategies.get(parts[3]) if scenario else None
        if isinstance(strategy, OwnSessions):
            return strategy.session_interface(app, app.extensions["racelab"])
        return self.fallback

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        return self.pick(app, request).open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # The request being answered: its session is saved by the interface that opened it.
        self.pick(app, current_request).save_session(app, session, response)


def secret_key(settings: AppSettings) -> bytes:
    """The key that signs session cookies: the same on every replica (a cookie set by one is read
    by another), derived from a secret they all share rather than one more variable to set."""
    shared = settings.lab_token or settings.database_url
    return hmac.new(shared.encode(), b"racelab flask session key", hashlib.sha256).digest()


def init_app(app: Flask, settings: AppSettings) -> None:
    if not app.secret_key:
        app.secret_key = secret_key(settings)
    app.session_interface = StrategySessions(app.session_interface)
