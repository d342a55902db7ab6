"""What the lab exposes and how it is protected, checked on the running stack: the Locust UI asks
for its password (a token-less POST /swarm resets nothing), Redis asks for its password, and the
app's Postgres role owns its tables but is not a superuser. Uses the session's stack."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import psycopg
import pytest

from racelab.runtime import envfile
from tests.conftest import ROOT, Stack, locust_headers

pytestmark = pytest.mark.stack


def test_locust_refuses_a_swarm_without_credentials(stack: Stack) -> None:
    request = urllib.request.Request(
        f"{stack.locust_url}/swarm", data=b"user_count=1&spawn_rate=1&host=http://example.invalid", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Basic ")
    assert json.loads(refused.value.read())["error"] == "unauthorized"
    wrong = urllib.request.Request(f"{stack.locust_url}/", headers={"Authorization": "Basic d3Jvbmc6d3Jvbmc="})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(wrong, timeout=10)
    assert refused.value.code == 401
    with urllib.request.urlopen(urllib.request.Request(f"{stack.locust_url}/", headers=locust_headers())) as ok:
        assert ok.status == 200
    with urllib.request.urlopen(f"{stack.locust_url}/racelab/health", timeout=10) as health:
        assert health.status == 200  # the one route the readiness checks may call without it


def redis_says(port: int, *commands: bytes) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        answers = []
        for command in commands:
            conn.sendall(command)
            answers.append(conn.recv(256))
        return answers


def test_redis_refuses_a_client_without_the_password(stack: Stack) -> None:
    port = int(stack.env["REDIS_PORT"])
    password = envfile.load(ROOT)["REDIS_PASSWORD"].encode()
    (refused,) = redis_says(port, b"PING\r\n")
    assert refused.startswith(b"-NOAUTH"), refused
    auth, pong = redis_says(port, b"AUTH " + password + b"\r\n", b"PING\r\n")
    assert (auth, pong) == (b"+OK\r\n", b"+PONG\r\n")


def test_the_app_role_owns_its_tables_but_is_not_a_superuser(stack: Stack) -> None:
    env = envfile.load(ROOT)
    url = (
        f"postgresql://{env.get('POSTGRES_USER') or 'racelab'}:{env['POSTGRES_PASSWORD']}"
        f"@127.0.0.1:{stack.env['POSTGRES_PORT']}/{env.get('POSTGRES_DB') or 'racelab'}"
    )
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False)
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'counters'").fetchone()
        assert owner == (env.get("POSTGRES_USER") or "racelab",)
