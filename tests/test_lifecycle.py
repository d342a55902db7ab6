"""`make up` / `make down` as a user runs them: idempotent start, a clear error for a taken port,
and nothing left running or listening after down. Uses a one-process stack of its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from racelab.runtime import procs
from tests.conftest import OFFSET, ROOT, SLOT

pytestmark = pytest.mark.stack

PORTS = {
    name: base + OFFSET
    for name, base in {"NGINX_PORT": 18180, "LOCUST_PORT": 18189, "POSTGRES_PORT": 15435, "REDIS_PORT": 16382,
                       "APP_BASE_PORT": 18301}.items()
}


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    run_dir = ROOT / ".run" / (f"lifecycle-{SLOT}" if SLOT else "lifecycle")
    values = {
        **os.environ, "RUNTIME": "native", "RUN_DIR": str(run_dir),
        "REPLICAS": "1", "WORKERS": "1", "THREADS": "1", **{k: str(v) for k, v in PORTS.items()},
    }
    yield values
    make("down", values)  # whatever happened, leave nothing behind


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, env=env, text=True, capture_output=True)


def process_groups(run_dir: Path) -> dict[str, int]:
    state = json.loads((run_dir / "state.json").read_text())["services"]
    return {name: record["pid"] for name, record in state.items()}


def members(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and procs.alive(int(entry.name)):
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def test_taken_port_is_named_in_a_clear_error(env: dict[str, str]) -> None:
    with socket.socket() as squatter:
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
    pids = process_groups(run_dir)
    assert set(pids) == {"postgres", "redis", "app-1", "nginx", "locust"}
    every_process = [pid for pgid in pids.values() for pid in members(pgid)]
    assert len(every_process) > len(pids)  # gunicorn workers, postgres backends, nginx workers

    second = make("up", env)
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout
    assert process_groups(run_dir) == pids  # nothing restarted

    down = make("down", env)
    assert down.returncode == 0, down.stderr
    assert not (run_dir / "state.json").exists()
    assert [pid for pid in every_process if procs.alive(pid)] == []
    assert [port for port in PORTS.values() if procs.port_in_use(port)] == []
