"""The lab's own endpoints: the index, its shape, the strategies, health, and the reset.

Paths and fields are a contract: the engine, Locust and the report rely on them.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import MethodNotAllowed, NotFound

from racelab import scenarios
from racelab.app.errors import error
from racelab.app.resources import ProcessResources, get_resources
from racelab.core.scenario import BadInput, UnknownName
from racelab.core.strategy import EPOCH_KEY, Ctx
from racelab.settings import MAX_RACE_WINDOW_MS
from racelab.topology import GREENLET_PREFIX, custom_topology

bp = Blueprint("lab", __name__)

ENDPOINTS = [
    ("GET", "/", "this index (HTML for a browser)"),
    (
        "GET",
        "/api/lab",
        "the lab's shape: replicas x workers x threads and the server, and so which verdicts to expect",
    ),
    ("GET", "/api/strategies", "every scenario and strategy, with explanations and expected verdicts"),
    ("POST", "/api/<scenario>/<strategy>/<operation>", "one operation (JSON body); ?race_window_ms=0-2000"),
    ("GET", "/api/<scenario>/<strategy>", "that strategy's state, as its store holds it"),
    ("GET", "/healthz", "200 when Postgres, Redis, memcached and RabbitMQ answer, else 503"),
    (
        "POST",
        "/api/lab/reset",
        'back to every scenario\'s start (X-Lab-Token header; optional JSON {"scenario": name, "params": {...}})',
    ),
]
WINDOW = re.compile(r"[0-9]{1,4}")


def thread_label() -> str:
    """This request's thread; under gevent, its greenlet, named so (a greenlet is not a thread:
    the judge tells them apart when it checks how far the calls spread)."""
    name = threading.current_thread().name
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        return GREENLET_PREFIX + name.removeprefix("Dummy-")
    return name


def served_by() -> dict[str, Any]:
    return {"replica": get_resources().replica_id, "pid": os.getpid(), "thread": thread_label()}


def min_race_window_ms() -> int:
    """The narrowest gap this replica's topology allows (see Topology.min_race_window_ms)."""
    settings = get_resources().settings
    return custom_topology(
        max(settings.replicas, 1), max(settings.workers, 1), settings.threads, settings.server
    ).min_race_window_ms


def race_window_s() -> float:
    """The read-write gap for this request: ``?race_window_ms=`` overrides RACE_WINDOW_MS, never
    below the topology's own minimum."""
    raw = request.args.get("race_window_ms")
    if raw is None:
        asked = int(current_app.config["RACE_WINDOW_MS"])
    # ASCII digits only: int() would also take " 5 ", "+5", "5_0" (as 50) and other scripts' digits.
    elif not WINDOW.fullmatch(raw) or int(raw) > MAX_RACE_WINDOW_MS:
        raise BadInput(
            f"race_window_ms must be a whole number of milliseconds from 0 to {MAX_RACE_WINDOW_MS}, got {raw[:20]!r}"
        )
    else:
        asked = int(raw)
    return max(asked, min_race_window_ms()) / 1000


POLL_MS = re.compile(r"\d{1,4}(\.\d{1,3})?")
MAX_LOCK_POLL_MS = 1000


def lock_poll_s() -> float | None:
    """``?lock_poll_ms=``: how often a waiter retries a Redis lock, for this request only (None:
    the guard's own setting). For ``racelab bench``'s sweep of the polling interval."""
    raw = request.args.get("lock_poll_ms")
    if raw is None:
        return None
    if not POLL_MS.fullmatch(raw) or not 0 < float(raw) <= MAX_LOCK_POLL_MS:
        raise BadInput(
            f"lock_poll_ms must be a number of milliseconds above 0 and up to {MAX_LOCK_POLL_MS}, got {raw[:20]!r}"
        )
    return float(raw) / 1000


def lab_shape() -> dict[str, Any]:
    """What the runtime told this replica about the whole lab (0 = not told)."""
    settings = get_resources().settings
    shape: dict[str, Any] = {
        "replicas": settings.replicas,
        "workers": settings.workers,
        "threads": settings.threads,
        "server": settings.server,
        "scheduling": settings.scheduling,  # the app processes' CPU policy (racelab.serve.SCHEDULING)
    }
    if settings.replicas and settings.workers:
        topology = custom_topology(settings.replicas, settings.workers, settings.threads, settings.server)
        shape.update(name=topology.name, scope=topology.scope.label)
    else:
        shape.update(name="unknown", scope=None)
    return shape


def index_body() -> dict[str, Any]:
    return {
        "lab": "racelab",
        "about": "race conditions in a Flask app, live: pick a scenario and a strategy and watch it hold or fail",
        "topology": lab_shape(),
        "race_window_ms": current_app.config["RACE_WINDOW_MS"],
        "locust_ui": current_app.config.get("LOCUST_URL") or None,
        "endpoints": [{"method": m, "path": p, "what": w} for m, p, w in ENDPOINTS],
        "scenarios": {
            name: {
                "question": sc.question,
                "operations": [f"POST /api/{name}/<strategy>/{op}" for op in sc.operations],
                "state": f"GET /api/{name}/<strategy>",
                "strategies": list(sc.strategies),
            }
            for name, sc in scenarios.scenarios().items()
        },
    }


@bp.get("/")
def index() -> ResponseReturnValue:
    body = index_body()
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]:
        return render_template("index.html", lab=body, scenarios=scenarios.scenarios())
    return jsonify(body)


@bp.get("/api/lab")
def lab() -> ResponseReturnValue:
    return jsonify(
        {
            "topology": lab_shape(),
            "race_window_ms": current_app.config["RACE_WINDOW_MS"],
            "min_race_window_ms": min_race_window_ms(),
            "served_by": served_by(),
        }
    )


@bp.get("/api/strategies")
def strategy_list() -> ResponseReturnValue:
    return jsonify({"scenarios": [sc.describe() for sc in scenarios.scenarios().values()]})


def _postgres(resources: ProcessResources) -> None:
    with resources.db().connection(timeout=3) as conn:
        conn.execute("SELECT 1")


def _memcached(resources: ProcessResources) -> None:
    resources.memcached().version()


# Each store the app uses, checked by /healthz; any failure means "not healthy".
HEALTH_CHECKS: dict[str, Callable[[ProcessResources], object]] = {
    "postgres": _postgres,
    "redis": lambda resources: resources.redis().ping(),
    "memcached": _memcached,
    "rabbitmq": lambda resources: resources.queue().ping(),
}
# Not the replica's multiprocessing.Manager: it does not come back until the replica restarts, and
# a replica without it still serves every other strategy (the Manager's answer 503 on their own).


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    resources = get_resources()
    checks: dict[str, str] = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            check(resources)
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            checks[name] = f"unavailable: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks, "served_by": served_by()}
    return jsonify(body), 200 if healthy else 503


@bp.post("/api/lab/reset")
def lab_reset() -> ResponseReturnValue:
    expected = current_app.config["LAB_TOKEN"]
    given = request.headers.get("X-Lab-Token")
    if not expected:
        return error(403, "lab_control_disabled", "LAB_TOKEN is not set on the server; lab control is off")
    if not given:
        return error(401, "missing_token", "send the lab token in the X-Lab-Token header (see .env)")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return error(403, "wrong_token", "the X-Lab-Token header does not match LAB_TOKEN")
    body = json_body()
    chosen = body.get("scenario")
    if chosen is not None and not isinstance(chosen, str):
        raise BadInput("scenario must be a scenario's name")
    if chosen is None and body.get("params"):
        raise BadInput('params need a scenario: {"scenario": name, "params": {...}}')
    targets = [scenarios.scenario(chosen)] if chosen else list(scenarios.scenarios().values())
    raw_params = body.get("params")
    if raw_params is not None and not isinstance(raw_params, dict):
        raise BadInput("params must be a JSON object")
    resources = get_resources()
    resources.seed_once()
    ctx = Ctx(resources)
    done: dict[str, Any] = {}
    for scenario in targets:
        params = scenario.parse_params(raw_params)
        for strategy in scenario.strategies.values():
            strategy.reset(ctx, params)
        done[scenario.name] = {"params": params, "strategies": list(scenario.strategies)}
    # In-process and per-replica state live where this request cannot reach: every process
    # compares this shared epoch with the one it last saw and starts again from zero.
    epoch = int(resources.redis().incr(EPOCH_KEY))
    return jsonify({"reset": done, "epoch": epoch})


def json_body() -> dict[str, Any]:
    """The request's JSON object body; an empty body is ``{}``; anything else is a 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body must be a JSON object with the operation's arguments; it is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadInput(f"the body must be a JSON object, got {type(body).__name__}")
    return body


@bp.route("/api/<scenario>/<strategy>/<operation>", methods=["POST"])
@bp.route("/api/<scenario>/<strategy>", methods=["GET"])
def unknown_scenario(scenario: str, strategy: str, operation: str | None = None) -> ResponseReturnValue:
    """Reached only when no scenario's own blueprint matched: name the valid scenarios."""
    if scenario == "lab":  # the lab's own paths: /api/lab/reset is POST only, nothing else exists
        if strategy == "reset" and operation is None:
            raise MethodNotAllowed(valid_methods=["POST"])
        raise NotFound()
    raise UnknownName("scenario", scenario, list(scenarios.scenarios()))
