"""A master with two workers: bursts fire across processes and the master's verdicts are right."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from racelab import strategies
from racelab.settings import StackSettings
from racelab.topology import custom_topology

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[1]
VERDICT = re.compile(r"racelab verdict for (\S+): (HOLDS|FAILS|UNKNOWN) .*\(attempted=(\d+) acknowledged=(\d+)")
LOCUST_COUNT = re.compile(r"^POST\s+/api/counter/(\S+)/next\s+(\d+)\s", re.M)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_master_aggregates_every_workers_calls(stack) -> None:  # type: ignore[no-untyped-def]
    port = str(free_port())
    locust = Path(sys.executable).parent / "locust"
    argv = [
        str(locust), "-f", str(ROOT / "loadtests/locustfile.py"), "--headless", "-H", stack.url,
        "-u", "12", "-r", "12", "-t", "6s", "--strategy", "all", "--burst-size", "12", "--only-summary",
        "--processes", "2", "--master-bind-host", "127.0.0.1", "--master-bind-port", port, "--master-port", port,
    ]
    result = subprocess.run(argv, cwd=ROOT, env={**stack.env, "LAB_TOKEN": stack.token},
                            capture_output=True, text=True, timeout=90)
    log = result.stdout + result.stderr
    verdicts = {m[1]: (m[2].lower(), int(m[3]), int(m[4])) for m in VERDICT.finditer(log)}
    assert set(verdicts) == set(strategies.names()), log[-3000:]
    settings = StackSettings.from_env(stack.env)
    scope = custom_topology(settings.replicas, settings.workers, settings.threads).scope
    wrong = {n: v for n, v in verdicts.items() if v[0] != strategies.get(n).expected(scope)}
    assert not wrong, f"verdicts differ from expected under {scope.label}: {wrong}\n{log[-3000:]}"
    assert all(attempted > 0 for _, attempted, _ in verdicts.values())
    assert "sent no last records" not in log
    # Every call Locust counted reached the master's ledger: nothing was lost on the way.
    counted: dict[str, int] = {}
    for name, n in LOCUST_COUNT.findall(log):
        counted.setdefault(name, int(n))  # the first table is the request counts
    assert {n: v[1] for n, v in verdicts.items()} == counted
