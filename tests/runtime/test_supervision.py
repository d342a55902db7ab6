"""The native stack under supervisord, as a user meets it: a killed replica comes back by itself,
`make ps` says what runs and where (exit 1 when a service is down), `make logs` shows nginx's
requests, and a closed pipe ends the CLI quietly. Uses the session's stack (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from racelab.runtime import procs
from racelab.runtime.supervisor import Supervisor
from tests.conftest import ROOT, VENV_BIN, Stack, racelab

pytestmark = pytest.mark.stack

# From a kill -9 to the replica answering again, without make up (compose: restart: unless-stopped).
RESTART_DEADLINE = 5.0


def parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def healthz_pid(port: int) -> int | None:
    """The pid of the gunicorn worker that answered /healthz on this replica's own port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return int(json.loads(response.read())["served_by"]["pid"])
    except (OSError, ValueError, KeyError):
        return None


def test_a_killed_replica_serves_again_without_up(stack: Stack) -> None:
    supervisor = Supervisor(Path(stack.env["RUN_DIR"]))
    port = int(stack.env["APP_BASE_PORT"]) + 1  # app-2
    master = int(supervisor.state("app-2")["pid"])
    workers = [pid for pid in procs.members(master) if pid != master]
    assert workers and parent(healthz_pid(port) or 0) == master

    killed = time.monotonic()
    os.kill(master, signal.SIGKILL)
    while True:
        elapsed = time.monotonic() - killed
        new = int(supervisor.state("app-2")["pid"] or 0)
        answered = healthz_pid(port)
        # served by a worker of the new master, not by a leftover of the old one
        if new not in (0, master) and answered and parent(answered) == new:
            break
        assert elapsed < RESTART_DEADLINE, f"app-2 did not serve again within {RESTART_DEADLINE}s of kill -9"
        time.sleep(0.05)
    print(f"\napp-2 served again {elapsed:.2f}s after kill -9 of its master")
    assert [pid for pid in workers if procs.alive(pid)] == [], "the old master's workers went with it"
    # and the lab answers through nginx, on every call
    for _ in range(6):
        request = urllib.request.Request(f"{stack.url}/api/counter/db-atomic/next", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and "value" in json.loads(response.read())


def test_status_shows_the_shape_the_places_and_each_service(stack: Stack) -> None:
    result = racelab(["status"], stack.env)
    lines = result.stdout.splitlines()
    assert lines[0] == "racelab native runtime: replicas topology (3 replicas x 2 workers x 4 threads)"
    assert f"run folder     {stack.env['RUN_DIR']}" in lines[1]
    assert lines[2].startswith("  postgres data  /")
    rows = {line.split()[0]: line.split() for line in lines[4:] if line.strip()}
    assert set(rows) - {"service"} == {
        "postgres",
        "redis",
        "memcached",
        "epmd",
        "rabbitmq",
        "app-1",
        "app-2",
        "app-3",
        "queue-worker",
        "nginx",
        "locust",
    }
    for name, row in rows.items():
        if name == "queue-worker":  # a client only: no port of its own to answer on
            assert row[1] in ("RUNNING", "STARTING") and row[2].isdigit() and row[3] == "-", row
        elif name != "service":
            # STARTING: spawned less than a second ago (supervisord's startsecs), by up just before
            assert row[1] in ("RUNNING,", "STARTING,") and row[2] == "answers", row
            assert row[3].isdigit() and row[4].isdigit() and ":" in row[5], row  # pid, port, uptime

    supervisor = Supervisor(Path(stack.env["RUN_DIR"]))
    supervisor.stop("locust")
    try:
        down = racelab(["status"], stack.env, check=False)
        assert down.returncode == 1, down.stdout
        assert "locust       STOPPED, no answer" in down.stdout
    finally:
        up = racelab(["up"], stack.env)
    assert "locust       ready on" in up.stdout and "nginx        already running" in up.stdout
    assert racelab(["status"], stack.env).returncode == 0


def test_logs_show_nginx_requests(stack: Stack) -> None:
    marker = f"/healthz?probe={time.monotonic_ns()}"
    urllib.request.urlopen(f"{stack.url}{marker}", timeout=5).close()
    deadline = time.monotonic() + 5  # nginx flushes its access log buffer every second
    while marker not in (out := racelab(["logs", "nginx", "-n", "200"], stack.env).stdout):
        assert time.monotonic() < deadline, out[-2000:]
        time.sleep(0.2)


def test_a_closed_pipe_ends_the_cli_quietly(stack: Stack) -> None:
    for command in ("status", "strategies", "logs"):
        result = subprocess.run(
            ["bash", "-c", f'"{VENV_BIN}/racelab" {command} | head -1; echo "rc=${{PIPESTATUS[0]}}"'],
            cwd=ROOT,
            env={**stack.env, "PYTHONUNBUFFERED": "1"},
            text=True,
            capture_output=True,
            timeout=60,
        )
        assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
        assert result.stdout.rstrip().rsplit("rc=", 1)[1] in ("0", "141"), result.stdout
