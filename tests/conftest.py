"""Shared fixtures. The ``stack`` fixture starts the real native stack once per session, on test
ports and a run folder of its own, so a lab a user left running on the default ports is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

# Test ports: below 32768 (the ephemeral range starts there) and away from the defaults.
TEST_ENV = {
    "RUNTIME": "native",
    "RUN_DIR": str(ROOT / ".run" / "test"),
    "NGINX_PORT": "18080",
    "LOCUST_PORT": "18089",
    "POSTGRES_PORT": "15433",
    "REDIS_PORT": "16380",
    "APP_BASE_PORT": "18101",
    "REPLICAS": "3",
    "WORKERS": "2",
    "THREADS": "4",
    "RACE_WINDOW_MS": "0",
}


@dataclass
class Stack:
    url: str
    locust_url: str
    token: str
    env: dict[str, str]


def racelab(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would; fail the test with its output if it fails."""
    argv = [str(VENV_BIN / "racelab"), *args]
    result = subprocess.run(argv, cwd=ROOT, env=env, text=True, capture_output=True)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    from racelab.runtime import envfile

    env = {**os.environ, **TEST_ENV}
    racelab(["up"], env)
    token = envfile.load(ROOT)["LAB_TOKEN"]
    try:
        yield Stack(f"http://127.0.0.1:{TEST_ENV['NGINX_PORT']}", f"http://127.0.0.1:{TEST_ENV['LOCUST_PORT']}", token, env)
    finally:
        racelab(["down"], env)
