"""Shared fixtures. The ``stack`` fixture starts the real native stack once per session, on test
ports and a run folder of its own, so a lab a user left running on the default ports is untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots a person can look at after a run
VENV_BIN = Path(sys.executable).parent

# Test ports: below 32768 (the ephemeral range starts there) and away from the defaults.
# RACELAB_TEST_SLOT=N (0-9) moves every port and the run folder, so that several checkouts (or
# several people on one machine) can run the stack tests at once without meeting.
SLOT = int(os.environ.get("RACELAB_TEST_SLOT", "0") or 0)
OFFSET = 1000 * SLOT


def port(base: int) -> str:
    return str(base + OFFSET)


TEST_ENV = {
    "RUNTIME": "native",
    "RUN_DIR": str(ROOT / ".run" / (f"test-{SLOT}" if SLOT else "test")),
    "NGINX_PORT": port(18080),
    "NGINX_H2_PORT": port(18081),
    "LOCUST_PORT": port(18089),
    "POSTGRES_PORT": port(15433),
    "REDIS_PORT": port(16380),
    "APP_BASE_PORT": port(18101),
    "MEMCACHED_PORT": port(16386),
    "RABBITMQ_PORT": port(15674),
    "RABBITMQ_EPMD_PORT": port(14371),
    "RABBITMQ_DIST_PORT": port(14372),
    "REPLICAS": "3",
    "WORKERS": "2",
    "THREADS": "4",
    "RACE_WINDOW_MS": "0",
    # A developer's exported TOPOLOGY would override the numbers above; the suite needs them.
    "TOPOLOGY": "",
    "SERVER": "",
    "LOCUST_WORKERS": "0",
}


@dataclass
class Stack:
    url: str
    locust_url: str
    token: str
    env: dict[str, str]


def locust_login() -> tuple[str, str]:
    """The Locust UI's user and password, as make up generated them into .env."""
    from racelab.runtime import envfile

    env = envfile.load(ROOT)
    return env.get("LOCUST_USER") or "racelab", env.get("LOCUST_PASSWORD", "")


def locust_headers() -> dict[str, str]:
    import base64

    user, password = locust_login()
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


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
        yield Stack(
            f"http://127.0.0.1:{TEST_ENV['NGINX_PORT']}", f"http://127.0.0.1:{TEST_ENV['LOCUST_PORT']}", token, env
        )
    finally:
        # --clean: also the test run folder and its data (as root, /var/tmp/racelab-*/ when the
        # checkout is private), so a machine running the suite again and again keeps nothing.
        racelab(["down", "--clean"], env)


# No background traffic: this machine's network is closed, and the page must need none.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium; installed with apt-get when missing and we may (root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("browser tests need Chromium: run `apt-get install chromium` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()
