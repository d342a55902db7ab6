"""Error paths of the app that need no running services: every error is JSON, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from racelab.app import create_app
from racelab.settings import AppSettings


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    # Nothing listens on these ports: the tests below must never need Postgres or Redis.
    settings = AppSettings(
        database_url="postgresql://racelab:x@127.0.0.1:1/racelab",
        redis_url="redis://127.0.0.1:1/0",
        lab_token="secret-token",
        replica_dir=tmp_path,
    )
    return create_app({"SETTINGS": settings, "TESTING": True})


def body(response: TestResponse) -> dict[str, Any]:
    """The JSON object a response carries (every error of the app is one)."""
    parsed = response.get_json()
    assert isinstance(parsed, dict), response.get_data(as_text=True)[:300]
    return parsed


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_unknown_strategy_is_404_json_naming_valid_ones(client: FlaskClient) -> None:
    response = client.post("/api/counter/nope/next")
    assert response.status_code == 404
    assert body(response)["error"] == "unknown_strategy"
    assert "db-atomic" in body(response)["valid"]


def test_unknown_scenario_and_operation_are_404_naming_valid_ones(client: FlaskClient) -> None:
    response = client.post("/api/nope/db-atomic/next")
    assert (response.status_code, body(response)["error"]) == (404, "unknown_scenario")
    assert "counter" in body(response)["valid"]
    response = client.post("/api/counter/db-atomic/explode")
    assert (response.status_code, body(response)["error"], body(response)["valid"]) == (
        404,
        "unknown_operation",
        ["next"],
    )


def test_reset_without_token_is_401_and_wrong_token_403(client: FlaskClient) -> None:
    assert client.post("/api/lab/reset").status_code == 401
    response = client.post("/api/lab/reset", headers={"X-Lab-Token": "wrong"})
    assert response.status_code == 403 and body(response)["error"] == "wrong_token"


def test_unknown_path_and_wrong_method_are_json_with_allow(client: FlaskClient) -> None:
    assert body(client.get("/nowhere"))["error"] == "not_found"
    response = client.get("/api/counter/db-atomic/next")
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"]
    response = client.get("/api/lab/reset")
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


def test_options_answers_json_with_allow(client: FlaskClient) -> None:
    response = client.options("/api/counter/db-atomic/next")
    assert response.status_code == 200 and response.is_json
    assert "POST" in body(response)["allow"] and "POST" in response.headers["Allow"]


def test_doubled_slashes_are_a_json_404_not_a_redirect(client: FlaskClient) -> None:
    response = client.post("//api//counter//db-atomic/next")
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(
    "raw", ["abc", "-5", "999999", " 5 ", "+5", "5_0", "\u0661\u0662", "\uff19", "2001", "", "1e3"]
)
def test_race_window_is_ascii_digits_from_0_to_2000(client: FlaskClient, raw: str) -> None:
    response = client.post("/api/counter/db-atomic/next", query_string={"race_window_ms": raw})
    assert response.status_code == 400, raw
    assert body(response)["error"] == "bad_request" and "race_window_ms" in body(response)["message"]


def test_a_body_that_is_not_a_json_object_is_400(client: FlaskClient) -> None:
    for sent in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        response = client.post("/api/counter/db-atomic/next", data=sent, content_type="application/json")
        assert response.status_code == 400 and body(response)["error"] == "bad_request", sent


def test_redis_down_is_503_json_not_a_traceback(client: FlaskClient) -> None:
    response = client.post("/api/counter/redis-incr/next")
    assert response.status_code == 503
    assert body(response)["error"] == "redis_unavailable"
    assert "Traceback" not in response.get_data(as_text=True)


def test_healthz_is_503_when_stores_are_unreachable(app: Flask, client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert body(response)["status"] == "unavailable"
    assert body(response)["redis"].startswith("unavailable")
    app.extensions["racelab"].close()


def test_index_lists_endpoints_scenarios_and_topology(client: FlaskClient) -> None:
    index = body(client.get("/"))
    assert {e["path"] for e in index["endpoints"]} >= {"/api/lab", "/api/strategies", "/healthz", "/api/lab/reset"}
    assert "counter" in index["scenarios"] and "db-atomic" in index["scenarios"]["counter"]["strategies"]
    assert set(index["topology"]) >= {"replicas", "workers", "threads", "scope"}
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.content_type.startswith("text/html") and b"/api/lab/reset" in page.data
