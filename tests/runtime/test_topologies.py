"""The servers a topology names, live behind the same nginx: gunicorn's gevent worker and Flask's
development server, started by ``racelab.serve`` on the test stack.

Every expected verdict comes from the registry for the topology's scope, never from this file.
The strategies are the ones whose verdict the server decides: what holds among greenlets only
while nothing yields, what the development server hides, and the replica's Manager.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.manager import pid_file
from racelab.topology import TOPOLOGIES
from tests.conftest import Stack, racelab

pytestmark = pytest.mark.stack

CALLERS = 40
ROUNDS = 2
PLAN = {
    # no yield between read and write holds among greenlets; a sleep in between does not; the
    # flock and Manager guards do not hang a worker whose greenlets contend for them
    "gevent": ["counter/global-no-yield", "counter/global-unsafe", "counter/file-lock", "counter/manager-lock"],
    # one request at a time hides the race; a thread per request shows it
    "devserver-single": ["counter/global-unsafe", "counter/manager-unsafe"],
    "devserver-threads": ["counter/global-unsafe", "counter/global-no-yield"],
    # a child per request: its memory is a fresh copy each time, the replica's Manager is shared
    "devserver-processes": ["counter/global-thread-lock", "counter/manager-lock"],
}


def call(url: str, method: str = "POST") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # a hang fails the test
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_each_server_gives_the_verdicts_its_scope_predicts(stack: Stack) -> None:
    client = LabClient(stack.url, stack.token)
    try:
        for name, keys in PLAN.items():
            topology = TOPOLOGIES[name]
            racelab(["up", "--topology", name], stack.env)
            shape = client.shape()
            assert (shape["name"], shape["server"], shape["scope"]) == (name, topology.server, topology.scope.label)
            for key in keys:
                strategy = scenarios.get(key)
                j = run(client, strategy, callers=CALLERS, rounds=ROUNDS).judgement
                summary = f"{key} under {name}: {j.verdict} (expected {j.expected}; {j.reason}) {j.check.anomalies}"
                assert j.scope == topology.scope.label, summary
                assert j.expected == strategy.expected(topology.scope), summary
                assert j.verdict == j.expected, summary
                assert j.check.indeterminate == 0, summary
        manager_death_is_a_json_503(stack)
    finally:
        racelab(["up"], stack.env)  # the session's topology, and a new Manager with its replica
    assert call(f"{stack.url}/api/counter/manager-lock/next")[0] == 200


def manager_death_is_a_json_503(stack: Stack) -> None:
    """Kill the replica's Manager: its callers get a prompt, clear 503; nothing else is affected."""
    url = f"{stack.url}/api/counter/manager-unsafe/next"
    assert call(url)[0] == 200
    pid = int(pid_file(Path(stack.env["RUN_DIR"]) / "replicas" / "app-1").read_text())
    os.kill(pid, signal.SIGKILL)
    for _ in range(3):  # every call, not only the first
        status, body = call(url)
        assert (status, body["error"]) == (503, "manager_unavailable"), body
        assert "comes back only when the replica restarts" in body["message"]
    status, body = call(f"{stack.url}/api/counter/db-atomic/next")
    assert status == 200, body  # the replica serves everything else
