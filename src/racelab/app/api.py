"""The HTTP API. Paths and fields are a contract: tests, Locust and the report rely on them."""

from __future__ import annotations

import hmac
import os
import threading
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from racelab import strategies
from racelab.app.errors import BadRequest, error
from racelab.settings import MAX_RACE_WINDOW_MS
from racelab.strategies.base import EPOCH_KEY, Ctx

bp = Blueprint("api", __name__)


def _resources():  # type: ignore[no-untyped-def]
    return current_app.extensions["racelab"]


def _race_window_s() -> float:
    """The read-write gap for this request: ``?race_window_ms=`` overrides RACE_WINDOW_MS."""
    raw = request.args.get("race_window_ms")
    if raw is None:
        return current_app.config["RACE_WINDOW_MS"] / 1000
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"race_window_ms={raw!r} is not a whole number of milliseconds") from None
    if not 0 <= value <= MAX_RACE_WINDOW_MS:
        raise BadRequest(f"race_window_ms must be between 0 and {MAX_RACE_WINDOW_MS}, got {value}")
    return value / 1000


def served_by() -> dict[str, Any]:
    return {"replica": _resources().replica_id, "pid": os.getpid(), "thread": threading.current_thread().name}


@bp.post("/api/counter/<name>/next")
def counter_next(name: str):  # type: ignore[no-untyped-def]
    strategy = strategies.get(name)
    outcome = strategy.next(Ctx(_resources(), _race_window_s()))
    response = jsonify({"value": outcome.value, "strategy": strategy.name, "served_by": served_by()})
    # Costs travel in headers so the JSON body stays exactly the documented contract.
    response.headers["X-Racelab-Retries"] = str(outcome.retries)
    response.headers["X-Racelab-Wait-Ms"] = f"{outcome.wait_ms:.3f}"
    return response


@bp.get("/api/counter/<name>")
def counter_read(name: str):  # type: ignore[no-untyped-def]
    strategy = strategies.get(name)
    return jsonify({"value": strategy.read(Ctx(_resources()))})


@bp.get("/api/strategies")
def strategy_list():  # type: ignore[no-untyped-def]
    return jsonify({"strategies": [strategies.describe(n) for n in strategies.names()]})


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    resources = _resources()
    checks: dict[str, str] = {}
    try:
        with resources.db().connection(timeout=3) as conn:
            conn.execute("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["postgres"] = f"unavailable: {type(exc).__name__}"
    try:
        resources.redis().ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks, "served_by": served_by()}
    return jsonify(body), 200 if healthy else 503


@bp.post("/api/lab/reset")
def lab_reset():  # type: ignore[no-untyped-def]
    expected = current_app.config["LAB_TOKEN"]
    given = request.headers.get("X-Lab-Token")
    if not expected:
        return error(403, "lab_control_disabled", "LAB_TOKEN is not set on the server; lab control is off")
    if not given:
        return error(401, "missing_token", "send the lab token in the X-Lab-Token header (see .env)")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return error(403, "wrong_token", "the X-Lab-Token header does not match LAB_TOKEN")
    resources = _resources()
    ctx = Ctx(resources)
    for strategy in strategies.all_strategies():
        strategy.reset(ctx)
    # In-process and per-replica state live where this request cannot reach: every process
    # compares this shared epoch with the one it last saw and starts again from zero.
    epoch = int(resources.redis().incr(EPOCH_KEY))
    return jsonify({"reset": strategies.names(), "epoch": epoch})
