"""What the scenarios' API tests share: one HTTP exchange, one operation, one state read."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.conftest import Stack


def send(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, Any]:
    """Status, JSON body and headers of one request (a 4xx/5xx is an answer, not an exception)."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, method=method, headers=all_headers, data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def operate(
    stack: Stack, scenario: str, strategy: str, operation: str, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, Any, Any]:
    """``POST /api/<scenario>/<strategy>/<operation>``; bytes are sent as they are (bad input tests)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return send(f"{stack.url}/api/{scenario}/{strategy}/{operation}", "POST", raw, headers)


def state(stack: Stack, scenario: str, strategy: str) -> dict[str, Any]:
    status, body, _ = send(f"{stack.url}/api/{scenario}/{strategy}")
    assert status == 200, body
    return dict(body)
