"""The Flask app factory: ``create_app()`` for gunicorn, ``create_app({...})`` for tests."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from racelab.app import api, errors
from racelab.app.resources import ProcessResources
from racelab.settings import AppSettings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = AppSettings.from_env()  # read here, never at import
    if test_config and "SETTINGS" in test_config:
        settings = test_config["SETTINGS"]
    app.config.update(
        LAB_TOKEN=settings.lab_token,
        RACE_WINDOW_MS=settings.race_window_ms,
        REPLICA_ID=settings.replica_id,
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})
    app.json.sort_keys = False  # keep the documented field order
    resources = ProcessResources(settings)
    app.extensions["racelab"] = resources
    atexit.register(resources.close)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    return app
