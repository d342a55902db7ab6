"""The lab's HTTP API from a client's side: reset, read state, the lab's shape, one call."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from racelab.core.history import Call
from racelab.core.strategy import Strategy
from racelab.topology import Scope


class LabError(RuntimeError):
    """The lab answered something unusable; the message says what."""


@dataclass
class Endpoint:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def operation_path(strategy: Strategy, call: Call, race_window_ms: int | None = None) -> str:
    path = f"/api/{strategy.scenario}/{strategy.name}/{call.op}"
    return path if race_window_ms is None else f"{path}?race_window_ms={race_window_ms}"


def send(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    """One request on a (keep-alive) connection: status, JSON body (or a not_json error), headers."""
    payload = b"" if body is None else json.dumps(body).encode()
    all_headers = dict(headers or {})
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload if method == "POST" else None, headers=all_headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {"error": "not_json", "message": raw[:200].decode(errors="replace")}
    return response.status, parsed, dict(response.getheaders())


class LabClient:
    def __init__(self, base_url: str, token: str = "", timeout: float = 10.0) -> None:
        self.base_url = base_url
        self.endpoint = Endpoint.parse(base_url)
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, token: bool = False) -> Any:
        conn = self.endpoint.connect(self.timeout)
        try:
            status, answer, _ = send(conn, method, path, body, {"X-Lab-Token": self.token} if token else None)
        finally:
            conn.close()
        if status != 200:
            message = answer.get("message", answer) if isinstance(answer, dict) else answer
            raise LabError(f"{method} {path} -> {status}: {message}")
        return answer

    def reset(self, scenario: str | None = None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] | None = None
        if scenario:
            body = {"scenario": scenario, "params": params or {}}
        result: dict[str, Any] = self.request("POST", "/api/lab/reset", body, token=True)
        return result

    def state(self, strategy: Strategy) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/api/{strategy.scenario}/{strategy.name}")
        return result

    def shape(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/api/lab")["topology"]
        return result

    def declared_scope(self) -> Scope | None:
        """The concurrency the lab says it runs with (None when the runtime did not tell it)."""
        label = self.shape().get("scope")
        return Scope[label.upper()] if label else None
