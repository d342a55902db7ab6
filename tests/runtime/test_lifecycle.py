"""`make up` / `make down` as a user runs them: idempotent start, a clear error for a taken port,
and nothing left running or listening after down. Uses a one-process stack of its own."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from racelab.runtime import paths, procs
from racelab.runtime.supervisor import Supervisor
from tests.conftest import OFFSET, ROOT, SLOT, VENV_BIN

pytestmark = pytest.mark.stack

PORTS = {
    name: base + OFFSET
    for name, base in {
        "NGINX_PORT": 18180,
        "LOCUST_PORT": 18189,
        "POSTGRES_PORT": 15435,
        "REDIS_PORT": 16382,
        "APP_BASE_PORT": 18301,
        "MEMCACHED_PORT": 16387,
        "RABBITMQ_PORT": 15675,
        "RABBITMQ_EPMD_PORT": 14373,
        "RABBITMQ_DIST_PORT": 14374,
    }.items()
}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    run_dir = ROOT / ".run" / (f"lifecycle-{SLOT}" if SLOT else "lifecycle")
    values = {
        **os.environ,
        "RUNTIME": "native",
        "RUN_DIR": str(run_dir),
        "TOPOLOGY": "",
        "SERVER": "",
        "REPLICAS": "1",
        "WORKERS": "1",
        "THREADS": "1",
        **{k: str(v) for k, v in PORTS.items()},
    }
    yield values
    make("clean", values)  # whatever happened, leave nothing behind: no process, no data


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, env=env, text=True, capture_output=True)


def started(run_dir: Path) -> tuple[int, dict[str, int]]:
    """supervisord's pid, and the pid of each service as supervisord reports it."""
    supervisor = Supervisor(run_dir)
    info = supervisor.info()
    return int(supervisor.call("getPID")), {name: int(p["pid"]) for name, p in info.items()}


def test_taken_port_is_named_in_a_clear_error(env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        # SO_REUSEADDR: a run just before may have left connections to this port in TIME_WAIT.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", PORTS["NGINX_PORT"]))
        squatter.listen()
        result = make("up", env)
    assert result.returncode != 0
    assert f"port {PORTS['NGINX_PORT']}" in result.stderr and "NGINX_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_up_twice_is_harmless_and_down_leaves_nothing(env: dict[str, str]) -> None:
    run_dir = Path(env["RUN_DIR"])
    first = make("up", env)
    assert first.returncode == 0, first.stdout + first.stderr
    supervisord, pids = started(run_dir)
    assert set(pids) == {
        "postgres",
        "redis",
        "memcached",
        "epmd",
        "rabbitmq",
        "app-1",
        "queue-worker",
        "nginx",
        "locust",
        "reaper",
    }
    # supervisord makes each program the leader of its own process group: the group holds what
    # it forked (gunicorn workers, Postgres backends, nginx workers, Locust's runner).
    every_process = [supervisord, *(pid for pgid in pids.values() for pid in procs.members(pgid))]
    assert len(every_process) > len(pids) + 1
    status = subprocess.run([str(VENV_BIN / "racelab"), "status"], cwd=ROOT, env=env, text=True, capture_output=True)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "single topology (1 replicas x 1 workers x 1 threads)" in status.stdout

    second = make("up", env)
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout
    assert started(run_dir) == (supervisord, pids)  # nothing restarted

    down = make("down", env)
    assert down.returncode == 0, down.stderr
    assert [pid for pid in every_process if procs.alive(pid)] == []
    assert [port for port in PORTS.values() if procs.port_in_use(port)] == []
    assert not paths.socket_path(run_dir).exists()
    again = make("ps", env)
    assert again.returncode == 0 and "not running" in again.stdout, again.stdout + again.stderr


def test_a_closed_pipe_does_not_cut_up_short(env: dict[str, str]) -> None:
    """`racelab up | head -1`: the reader goes after one line, the stack still comes up whole."""
    up = subprocess.Popen(
        [str(VENV_BIN / "racelab"), "up"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert up.stdout is not None and up.stderr is not None
    first = up.stdout.readline()
    up.stdout.close()  # as `head -1` does: every later write meets a closed pipe
    errors = up.stderr.read()
    assert up.wait(timeout=120) == 0, first + errors
    assert first.startswith("racelab native runtime") and "Traceback" not in errors, errors
    status = subprocess.run([str(VENV_BIN / "racelab"), "status"], cwd=ROOT, env=env, text=True, capture_output=True)
    assert status.returncode == 0, status.stdout  # every service answers
