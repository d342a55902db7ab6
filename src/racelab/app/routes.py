"""Each scenario's HTTP face, built from what the scenario declares (its operations).

``POST /api/<scenario>/<strategy>/<operation>`` performs one operation with the JSON body's
arguments; ``GET /api/<scenario>/<strategy>`` reads that strategy's state. The answer to an
operation is ``{"value", "strategy", "served_by"}``; what it cost travels in headers
(``X-Racelab-Retries``, ``X-Racelab-Wait-Ms``, ``X-Racelab-Deadlocks``) so the body stays the
documented contract.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from racelab.app.lab import json_body, lock_poll_s, race_window_s, served_by
from racelab.app.resources import get_resources
from racelab.core.scenario import Scenario
from racelab.core.strategy import Ctx


def blueprint(scenario: Scenario) -> Blueprint:
    bp = Blueprint(f"scenario_{scenario.name}", __name__, url_prefix=f"/api/{scenario.name}")

    @bp.post("/<strategy>/<operation>")
    def perform(strategy: str, operation: str) -> ResponseReturnValue:
        chosen = scenario.strategy(strategy)
        spec = scenario.operation(operation)
        args = spec.parse(json_body())
        for header in spec.reads_headers:
            args[header.lower().replace("-", "_")] = request.headers.get(header)
        window = race_window_s()
        resources = get_resources()
        resources.seed_once()
        outcome = chosen.perform(Ctx(resources, window, lock_poll_s()), spec.name, args)
        response = jsonify({"value": outcome.value, "strategy": chosen.name, "served_by": served_by()})
        response.headers["X-Racelab-Retries"] = str(outcome.retries)
        response.headers["X-Racelab-Wait-Ms"] = f"{outcome.wait_ms:.3f}"
        response.headers["X-Racelab-Deadlocks"] = str(outcome.deadlocks)
        response.headers.update(outcome.headers)
        return response

    @bp.get("/<strategy>")
    def read(strategy: str) -> ResponseReturnValue:
        chosen = scenario.strategy(strategy)
        resources = get_resources()
        resources.seed_once()
        return jsonify(chosen.read(Ctx(resources)))

    return bp
