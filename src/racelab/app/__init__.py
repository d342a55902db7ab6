"""The Flask app factory: ``create_app()`` for gunicorn, ``create_app({...})`` for tests."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider

from racelab import scenarios
from racelab.app import errors, lab, routes, sessions
from racelab.app.arrival import stamped
from racelab.app.resources import ProcessResources
from racelab.settings import AppSettings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class LabJSON(DefaultJSONProvider):
    sort_keys = False  # keep the documented field order ({"value", "strategy", "served_by"})


class LabFlask(Flask):
    json_provider_class = LabJSON

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Each request's start time is read here, before Flask does anything with it."""
        return super().wsgi_app(environ, stamped(environ, start_response))

    def make_default_options_response(self) -> Response:
        """OPTIONS answers JSON, like everything else, with the methods the path allows."""
        allow = super().make_default_options_response().headers.get("Allow", "")
        response = jsonify({"allow": [m.strip() for m in allow.split(",") if m.strip()]})
        response.headers["Allow"] = allow
        return response


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = LabFlask(__name__)
    settings = AppSettings.from_env()  # read here, never at import
    if test_config and "SETTINGS" in test_config:
        settings = test_config["SETTINGS"]
    app.config.update(
        LAB_TOKEN=settings.lab_token,
        RACE_WINDOW_MS=settings.race_window_ms,
        REPLICA_ID=settings.replica_id,
        LOCUST_URL=settings.locust_url,
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})
    # //api//counter//x/next is a 404, not a redirect to a page a POST cannot follow.
    app.url_map.merge_slashes = False
    resources = ProcessResources(settings)
    app.extensions["racelab"] = resources
    atexit.register(resources.close)
    errors.init_app(app)
    sessions.init_app(app, settings)  # Flask's session: signed with a shared key, chosen per strategy
    for scenario in scenarios.scenarios().values():
        app.register_blueprint(routes.blueprint(scenario))
    app.register_blueprint(lab.bp)  # after the scenarios: its catch-all names unknown scenarios
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    return app
