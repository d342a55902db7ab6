"""Who may drive the lab from the Locust web UI: HTTP Basic auth with LOCUST_USER / LOCUST_PASSWORD.

Locust's own UI has no authentication of its own (``--web-login`` only marks the routes and
leaves the login to the locustfile), and a token-less ``POST /swarm`` resets the whole lab. So
every route of the UI, Locust's and the lab's tabs alike, asks for the password ``make up``
generated into ``.env``; without one configured, the UI refuses everything rather than run open.
Only ``/racelab/health`` answers anyone: the runtimes' readiness checks call it.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

HEALTH = "/racelab/health"
REALM = 'Basic realm="racelab Locust", charset="UTF-8"'


def allowed(given_user: str | None, given_password: str | None, user: str, password: str) -> bool:
    if not password or given_user is None or given_password is None:
        return False
    same_user = hmac.compare_digest(given_user.encode(), user.encode())
    same_password = hmac.compare_digest(given_password.encode(), password.encode())
    return same_user and same_password


def install(web_ui: Any, user: str | None = None, password: str | None = None) -> None:
    user = user if user is not None else os.environ.get("LOCUST_USER") or "racelab"
    password = password if password is not None else os.environ.get("LOCUST_PASSWORD", "")
    app: Flask = web_ui.app

    @app.route(HEALTH)
    def health() -> ResponseReturnValue:
        return jsonify({"status": "ok"})

    @app.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.path == HEALTH:
            return None
        if not password:
            return jsonify(
                {
                    "error": "ui_locked",
                    "message": "LOCUST_PASSWORD is not set, so the UI stays closed: make up generates one in .env",
                }
            ), 403
        auth = request.authorization
        if auth is not None and auth.type == "basic" and allowed(auth.username, auth.password, user, password):
            return None
        response = jsonify(
            {"error": "unauthorized", "message": "log in with LOCUST_USER and LOCUST_PASSWORD from the lab's .env"}
        )
        response.headers["WWW-Authenticate"] = REALM
        return response, 401
