"""The launcher every replica runs (racelab.serve): what it refuses before starting anything, and
the request slots it gives gunicorn's gevent worker."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from racelab import serve


def test_a_shape_the_server_cannot_run_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SERVER", "devserver")
    monkeypatch.setenv("WORKERS", "2")
    monkeypatch.setenv("THREADS", "4")
    assert serve.main([]) == 2
    assert "runs several processes or several threads, not both" in capsys.readouterr().err
    monkeypatch.setenv("SERVER", "uwsgi")
    assert serve.main([]) == 2
    assert "SERVER='uwsgi' is not a server" in capsys.readouterr().err


@pytest.mark.parametrize("policy", sorted(serve.SCHEDULING))
def test_the_scheduling_policy_is_set_for_the_process_and_what_it_starts(policy: str) -> None:
    # In a child of its own: the test process keeps its policy.
    probe = (
        f"import os, threading; from racelab import serve; serve.set_scheduling({policy!r}); "
        "seen = []; t = threading.Thread(target=lambda: seen.append(os.sched_getscheduler(0))); t.start(); t.join(); "
        "child = os.fork()\n"
        "if child == 0: os._exit(os.sched_getscheduler(0))\n"
        "print(os.sched_getscheduler(0), seen[0], os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(serve.SCHEDULING[policy])] * 3


def test_every_server_has_a_launcher() -> None:
    from racelab.topology import SERVERS

    assert set(serve.LAUNCHERS) == set(SERVERS)


class Body:
    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.closed = parts, False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.parts)

    def close(self) -> None:
        self.closed = True


def test_request_slots_run_at_most_that_many_requests_at_once() -> None:
    inside, most, lock = 0, 0, threading.Condition()
    release = threading.Event()
    bodies: list[Body] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
            lock.notify_all()
        release.wait(5)
        with lock:
            inside -= 1
        body = Body([b"a", b"b"])
        bodies.append(body)
        return body

    slots = serve.RequestSlots(app, 2)
    answers: list[list[bytes]] = []
    start_response: Any = lambda *_args: None  # noqa: E731 - the app never calls it
    threads = [threading.Thread(target=lambda: answers.append(list(slots({}, start_response)))) for _ in range(5)]
    for t in threads:
        t.start()
    with lock:
        assert lock.wait_for(lambda: inside == 2, timeout=5)
    assert not slots.slots.acquire(blocking=False)  # both slots taken: the other three wait
    release.set()
    for t in threads:
        t.join()
    assert most == 2
    assert answers == [[b"a", b"b"]] * 5
    assert all(body.closed for body in bodies)
