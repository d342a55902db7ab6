"""Named topologies: TOPOLOGY=<name> (or `racelab up -t <name>`) reshapes the stack, and only the
services whose configuration changes restart."""

from __future__ import annotations

import json
import urllib.request

import pytest

from racelab.settings import SettingsError, StackSettings
from tests.conftest import Stack, racelab


def test_topology_sets_replicas_workers_and_threads_at_once() -> None:
    env = {"TOPOLOGY": "processes", "REPLICAS": "3", "WORKERS": "2", "THREADS": "4"}
    settings = StackSettings.from_env(env)
    assert (settings.replicas, settings.workers, settings.threads) == (1, 4, 1)
    assert (StackSettings.from_env({"TOPOLOGY": ""}).replicas, StackSettings.from_env({}).replicas) == (3, 3)


def test_an_unknown_topology_names_the_valid_ones() -> None:
    with pytest.raises(SettingsError, match="TOPOLOGY='mesh' is not a topology; choose one of: single, threads"):
        StackSettings.from_env({"TOPOLOGY": "mesh"})


def test_native_locust_runs_a_master_and_workers_when_asked() -> None:
    from racelab.runtime import native

    runtime = native.NativeRuntime(out=lambda _line: None)
    runtime.stack = StackSettings.from_env({"LOCUST_WORKERS": "2", "LOCUST_PORT": "18089"})
    argv = runtime.locust_program().command
    assert argv[argv.index("--processes") + 1] == "2"
    assert argv[argv.index("--master-bind-port") + 1] == argv[argv.index("--master-port") + 1] == "18090"
    runtime.stack = StackSettings.from_env({})
    assert "--processes" not in runtime.locust_program().command


def served_by(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return dict(json.loads(response.read())["served_by"])


@pytest.mark.stack
def test_switching_topology_restarts_only_what_changes(stack: Stack) -> None:
    try:
        out = racelab(["up", "--topology", "threads"], stack.env).stdout
        assert "threads topology (1 replicas x 1 workers x 8 threads)" in out
        for kept in ("postgres", "redis", "locust"):
            assert any(line.split()[:3] == [kept, "already", "running"] for line in out.splitlines()), out
        assert "app-1     configuration changed: restarting" in out
        assert "app-3     stopped" in out and "app-2     stopped" in out
        assert served_by(stack.url)["replica"] == "app-1"
        again = racelab(["up", "--topology", "threads"], stack.env).stdout
        assert "restarting" not in again and "stopped" not in again  # nothing changed, nothing restarts
    finally:
        back = racelab(["up"], stack.env).stdout  # the session's own topology (REPLICAS/WORKERS/THREADS)
    assert "replicas topology (3 replicas x 2 workers x 4 threads)" in back
    assert {served_by(stack.url)["replica"] for _ in range(9)} == {"app-1", "app-2", "app-3"}
