"""A master with two workers, every strategy of every scenario in turn: bursts fire across
processes, the master's verdicts are the expected ones and it counted every call Locust made."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from tests.bench.support import free_port
from tests.conftest import ROOT

pytestmark = pytest.mark.stack
VERDICT = re.compile(
    r"racelab verdict for (\S+): (HOLDS|FAILS|UNKNOWN) \(expected (holds|fails)\) "
    r".*\(attempted=(\d+) acknowledged=(\d+)"
)
LOCUST_COUNT = re.compile(r"^POST\s+/api/(\S+)/(\S+)/\S+\s+(\d+)\s", re.M)
# The strategies take turns, a burst each: enough time for several bursts of every one of them
# (signup's crowded name comes round every other burst).
SECONDS = max(8, round(0.7 * len(scenarios.all_strategies())))


def test_master_judges_every_strategy_from_every_workers_calls(stack: Any) -> None:
    port = str(free_port())
    locust = str(Path(sys.executable).parent / "locust")
    argv = [
        locust,
        "-f",
        str(ROOT / "loadtests/locustfile.py"),
        "--headless",
        "-H",
        stack.url,
        "-u",
        "24",
        "-r",
        "24",
        "-t",
        f"{SECONDS}s",
        "--strategy",
        "all",
        "--burst-size",
        "24",
        "--only-summary",
        "--processes",
        "2",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        port,
        "--master-port",
        port,
    ]
    result = subprocess.run(
        argv, cwd=ROOT, env={**stack.env, "LAB_TOKEN": stack.token}, capture_output=True, text=True, timeout=120
    )
    log = result.stdout + result.stderr
    verdicts = {m[1]: (m[2].lower(), m[3], int(m[4])) for m in VERDICT.finditer(log)}
    assert set(verdicts) == {s.key for s in scenarios.all_strategies()}, log[-3000:]
    # verdict and expected both come from the engine's judge, under the scope the lab declares
    wrong = {key: v for key, v in verdicts.items() if v[0] != v[1]}
    assert not wrong, f"verdicts differ from the expected ones: {wrong}\n{log[-3000:]}"
    assert all(attempted > 0 for _, _, attempted in verdicts.values())
    assert "sent no last records" not in log
    # Every call Locust counted reached the master's ledger: nothing was lost on the way.
    counted: dict[str, int] = {}
    for scenario, strategy, n in LOCUST_COUNT.findall(log):
        counted.setdefault(f"{scenario}/{strategy}", int(n))  # the first table is the request counts
    assert {key: v[2] for key, v in verdicts.items()} == counted
