"""The replica's multiprocessing.Manager (racelab.manager), as real processes: one value and one
lock for every client that knows the token, a prompt ManagerUnavailable once it is gone, and no
manager left behind by a server that died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from racelab import manager
from racelab.manager import ManagerClient, ManagerUnavailable
from racelab.runtime import procs


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    pid = manager.start(tmp_path, "token")
    try:
        yield tmp_path, pid
    finally:
        if procs.alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_clients_share_one_value_and_one_lock(started: tuple[Path, int]) -> None:
    folder, _ = started
    one, two = ManagerClient(folder, "token"), ManagerClient(folder, "token")
    one.set("counter", (3, 41))
    assert two.get("counter", None) == (3, 41)
    assert two.get("missing", 0) == 0
    held = one.lock(7)
    assert one.acquire(held, 1.0)
    try:
        assert not two.acquire(two.lock(7), 0.05)  # the same lock, held by the other client
        assert two.acquire(two.lock(8), 0.05)  # another key's stripe
        two.release(two.lock(8))
    finally:
        one.release(held)
    assert two.acquire(two.lock(7), 1.0)
    two.release(two.lock(7))


def test_a_client_without_the_token_is_refused(started: tuple[Path, int]) -> None:
    folder, _ = started
    with pytest.raises(ManagerUnavailable, match="AuthenticationError"):
        ManagerClient(folder, "another token").ping()


def test_a_dead_manager_is_unavailable_at_once(started: tuple[Path, int]) -> None:
    folder, pid = started
    connected = ManagerClient(folder, "token")
    connected.ping()
    os.kill(pid, signal.SIGKILL)
    assert procs.wait_until(lambda: not procs.alive(pid), timeout=5)
    for client in (connected, ManagerClient(folder, "token")):  # an open connection, and a new one
        with pytest.raises(ManagerUnavailable, match="comes back only when the replica restarts"):
            client.set("counter", (1, 1))


def test_the_manager_ends_with_the_server_it_was_started_for(tmp_path: Path) -> None:
    """racelab.serve starts it, then becomes the server: when that dies, the manager goes too."""
    # os._exit: no clean-up at all, as for a gunicorn master killed with SIGKILL
    code = (
        "import os, sys; from pathlib import Path; from racelab import manager;"
        "print(manager.start(Path(sys.argv[1]), 't'), flush=True); os._exit(0)"
    )
    pid = int(subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout)
    assert procs.wait_until(lambda: not procs.alive(pid), timeout=10), f"manager {pid} outlived its parent"


def test_a_long_folder_gets_an_abstract_socket(tmp_path: Path) -> None:
    assert manager.address(tmp_path) == str(tmp_path / manager.SOCKET_NAME)
    deep = tmp_path / ("x" * 120)
    assert manager.address(deep).startswith("\0racelab-manager-")
