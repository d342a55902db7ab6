"""memcached, RabbitMQ and the queue worker as the native runtime runs them: on loopback only,
and when one of them stops, the strategies that need it answer a JSON 5xx at once (memcached) or
after the reply timeout (the queue), never a hang or a traceback; then they serve again.
Uses the session's stack (tests/conftest.py)."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from racelab.messaging import REPLY_TIMEOUT_S
from racelab.runtime.supervisor import Supervisor
from tests.conftest import Stack

pytestmark = pytest.mark.stack


def call(url: str, method: str = "POST", timeout: float = REPLY_TIMEOUT_S + 10) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@contextmanager
def stopped(stack: Stack, name: str) -> Iterator[None]:
    supervisor = Supervisor(Path(stack.env["RUN_DIR"]))
    supervisor.stop(name)
    try:
        yield
    finally:
        supervisor.start(name)


def test_every_broker_port_is_bound_to_loopback_only(stack: Stack) -> None:
    ports = [stack.env[v] for v in ("MEMCACHED_PORT", "RABBITMQ_PORT", "RABBITMQ_EPMD_PORT", "RABBITMQ_DIST_PORT")]
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, check=True).stdout.splitlines()
    for port in ports:
        addresses = [line.split()[3].rsplit(":", 1)[0] for line in listening if line.split()[3].endswith(f":{port}")]
        assert addresses, f"nothing listens on port {port}"
        assert set(addresses) <= {"127.0.0.1", "[::1]"}, (port, addresses)


def test_healthz_names_each_store(stack: Stack) -> None:
    status, body = call(f"{stack.url}/healthz", "GET")
    assert status == 200
    assert {body[name] for name in ("postgres", "redis", "memcached", "rabbitmq")} == {"ok"}


def test_memcached_down_is_a_json_503_then_it_serves_again(stack: Stack) -> None:
    url = f"{stack.url}/api/counter/memcached-incr/next"
    with stopped(stack, "memcached"):
        status, body = call(url)
        assert (status, body["error"]) == (503, "memcached_unavailable"), body
        status, body = call(f"{stack.url}/healthz", "GET")
        assert status == 503 and body["memcached"].startswith("unavailable"), body
    # Pooled connections opened before the stop fail once each (a JSON 503, indeterminate), then
    # reconnect: bounded by the number of pooled connections, every one of them tried in turn.
    pooled = int(stack.env["REPLICAS"]) * int(stack.env["WORKERS"]) * (2 * int(stack.env["THREADS"]) + 1)
    for _ in range(pooled + 1):
        status, body = call(url)
        if status == 200:
            break
        assert (status, body["error"]) == (503, "memcached_unavailable"), body
    assert status == 200 and isinstance(body["value"], int), body


def test_queue_worker_down_is_an_indeterminate_504_never_a_hang(stack: Stack) -> None:
    """Published, never answered: the client learns it after the reply timeout, as a 5xx (the
    history's "may have been applied"), and the message expires instead of waiting for a worker."""
    url = f"{stack.url}/api/counter/queue/next"
    with stopped(stack, "queue-worker"):
        status, body = call(url)
        assert (status, body["error"]) == (504, "queue_timeout"), body
    status, body = call(url)
    assert status == 200 and isinstance(body["value"], int), body
