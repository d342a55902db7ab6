"""Named topologies: TOPOLOGY=<name> (or `racelab up -t <name>`) reshapes the stack (and picks its
server), and only the services whose configuration changes restart."""

from __future__ import annotations

import json
import urllib.request

import pytest

from racelab import scenarios
from racelab.settings import SettingsError, StackSettings
from racelab.topology import SERVERS, TOPOLOGIES, Scope, Topology, custom_topology
from tests.conftest import Stack, racelab


def test_topology_sets_replicas_workers_and_threads_at_once() -> None:
    env = {"TOPOLOGY": "processes", "REPLICAS": "3", "WORKERS": "2", "THREADS": "4"}
    settings = StackSettings.from_env(env)
    assert (settings.replicas, settings.workers, settings.threads) == (1, 4, 1)
    assert (StackSettings.from_env({"TOPOLOGY": ""}).replicas, StackSettings.from_env({}).replicas) == (3, 3)


def test_an_unknown_topology_names_the_valid_ones() -> None:
    with pytest.raises(SettingsError, match="TOPOLOGY='mesh' is not a topology; choose one of: single, threads"):
        StackSettings.from_env({"TOPOLOGY": "mesh"})


def test_greenlets_sit_between_no_concurrency_and_threads() -> None:
    assert Scope.NONE < Scope.GREENLETS < Scope.THREADS < Scope.PROCESSES < Scope.REPLICAS
    assert Scope.GREENLETS.label == "greenlets"


def test_a_topologys_threads_are_its_servers_unit_of_concurrency() -> None:
    assert Topology("t", 1, 1, 8, server="gthread").scope is Scope.THREADS
    assert Topology("g", 1, 1, 8, server="gevent").scope is Scope.GREENLETS
    assert Topology("g2", 1, 2, 8, server="gevent").scope is Scope.PROCESSES
    assert Topology("d", 1, 1, 1, server="devserver").scope is Scope.NONE
    expected = {
        "gevent": Scope.GREENLETS,
        "devserver-single": Scope.NONE,
        "devserver-threads": Scope.THREADS,
        "devserver-processes": Scope.PROCESSES,
    }
    assert {name: TOPOLOGIES[name].scope for name in expected} == expected
    assert all(t.server in SERVERS for t in TOPOLOGIES.values())


def test_the_server_is_part_of_a_topologys_identity() -> None:
    assert custom_topology(1, 1, 1).name == "single"
    assert custom_topology(1, 1, 1, "devserver").name == "devserver-single"
    assert custom_topology(1, 1, 16, "gevent").name == "gevent"
    assert custom_topology(1, 1, 8, "gevent").name == "custom"
    assert (TOPOLOGIES["threads"].shape, TOPOLOGIES["gevent"].shape) == ("1x1x8", "1x1x16 gevent")


def test_topology_sets_the_server_and_server_is_checked() -> None:
    settings = StackSettings.from_env({"TOPOLOGY": "gevent", "SERVER": "devserver"})
    assert (settings.server, settings.workers, settings.threads) == ("gevent", 1, 16)
    assert StackSettings.from_env({}).server == "gthread"
    assert StackSettings.from_env({"SERVER": "devserver", "WORKERS": "4", "THREADS": "1"}).server == "devserver"
    with pytest.raises(SettingsError, match="SERVER='uwsgi' is not a server; choose one of: gthread, gevent"):
        StackSettings.from_env({"SERVER": "uwsgi"})
    with pytest.raises(SettingsError, match="several processes or several threads, not both"):
        StackSettings.from_env({"SERVER": "devserver", "WORKERS": "2", "THREADS": "4"})


def test_nothing_between_read_and_write_that_yields_holds_among_greenlets_only() -> None:
    """Derived from the strategies, never typed: the shape of the gevent and devserver lessons."""
    no_yield, unsafe = scenarios.get("counter/global-no-yield"), scenarios.get("counter/global-unsafe")
    verdicts = {
        name: (no_yield.expected(TOPOLOGIES[name].scope), unsafe.expected(TOPOLOGIES[name].scope))
        for name in ("devserver-single", "gevent", "threads", "devserver-threads", "devserver-processes")
    }
    assert verdicts == {
        "devserver-single": ("holds", "holds"),
        "gevent": ("holds", "fails"),
        "threads": ("fails", "fails"),
        "devserver-threads": ("fails", "fails"),
        "devserver-processes": ("fails", "fails"),
    }
    assert (no_yield.safe_label, unsafe.safe_label) == ("greenlets", "none")
    manager = scenarios.get("counter/manager-lock")
    assert [manager.expected(TOPOLOGIES[t].scope) for t in ("processes", "replicas")] == ["holds", "fails"]


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
        said = [line.split()[:3] for line in out.splitlines()]  # the names' column is as wide as the longest
        assert ["app-1", "configuration", "changed:"] in said, out
        assert ["app-3", "stopped", "(pid"] in said and ["app-2", "stopped", "(pid"] in said, out
        assert served_by(stack.url)["replica"] == "app-1"
        again = racelab(["up", "--topology", "threads"], stack.env).stdout
        assert "restarting" not in again and "stopped" not in again  # nothing changed, nothing restarts
    finally:
        back = racelab(["up"], stack.env).stdout  # the session's own topology (REPLICAS/WORKERS/THREADS)
    assert "replicas topology (3 replicas x 2 workers x 4 threads)" in back
    assert {served_by(stack.url)["replica"] for _ in range(9)} == {"app-1", "app-2", "app-3"}
