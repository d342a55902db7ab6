"""The lab's HTTP API from a client's side: reset, read state, the lab's shape, one call."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from racelab.core.history import Call, cookie_header, set_cookies
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
    def __init__(self, base_url: str, token: str = "", timeout: float = 10.0, h2_url: str | None = None) -> None:
        self.base_url = base_url
        self.endpoint = Endpoint.parse(base_url)
        # nginx's HTTP/2 cleartext listener, for single-packet bursts (None: not known)
        self.h2_endpoint = Endpoint.parse(h2_url) if h2_url else None
        self.token = token
        self.timeout = timeout

    def request(
        self, method: str, path: str, body: Any = None, token: bool = False, headers: dict[str, str] | None = None
    ) -> Any:
        return self.exchange(method, path, body, token, headers)[0]

    def exchange(
        self, method: str, path: str, body: Any = None, token: bool = False, headers: dict[str, str] | None = None
    ) -> tuple[Any, dict[str, str]]:
        """A request that must answer 200: its JSON body and its headers."""
        all_headers = {**(headers or {}), **({"X-Lab-Token": self.token} if token else {})}
        conn = self.endpoint.connect(self.timeout)
        try:
            status, answer, answer_headers = send(conn, method, path, body, all_headers)
        finally:
            conn.close()
        if status != 200:
            message = answer.get("message", answer) if isinstance(answer, dict) else answer
            raise LabError(f"{method} {path} -> {status}: {message}")
        return answer, answer_headers

    def reset(self, scenario: str | None = None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] | None = None
        if scenario:
            body = {"scenario": scenario, "params": params or {}}
        result: dict[str, Any] = self.request("POST", "/api/lab/reset", body, token=True)
        return result

    def state(self, strategy: Strategy, cookies: dict[str, str] | None = None) -> dict[str, Any]:
        """The strategy's state; with ``cookies``, as the session they carry sees it (a cart)."""
        path = f"/api/{strategy.scenario}/{strategy.name}"
        result: dict[str, Any] = self.request("GET", path, headers=cookie_header(cookies))
        return result

    def start_session(self, strategy: Strategy, operation: str) -> dict[str, str]:
        """A new client session (the scenario's ``session_start`` operation): the cookies it set."""
        _, headers = self.exchange("POST", operation_path(strategy, Call(operation)), {})
        return set_cookies(headers)

    def shape(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/api/lab")["topology"]
        return result

    def declared_scope(self) -> Scope | None:
        """The concurrency the lab says it runs with (None when the runtime did not tell it)."""
        label = self.shape().get("scope")
        return Scope[label.upper()] if label else None
