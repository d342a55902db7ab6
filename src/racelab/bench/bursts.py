"""Synchronised bursts: Locust users wait at a gate and fire together.

Locust has no rendezvous of its own. :class:`BurstGate` is a reusable barrier for the greenlets of
one Locust process: the last user of a burst to arrive releases them all. In a distributed run
the gate does not release by itself: it tells the master it is ready (and how many users wait at
it), and the master's :class:`Conductor` waits until every worker with users is ready, then tells
them all to fire at the same wall-clock instant. The burst id the master hands out is shared by
all workers, so the spread of one burst (first send to last send, across every process) can be
measured.

Each user leaves the gate with a :class:`Ticket`: the burst, and its *position* in it (0..n-1),
which the scenario's workload needs (``workload.call(burst, position, seq)``: in a signup burst,
positions decide who races for which username). A gate numbers its users in their order of
arrival; on a worker the master adds an offset (the users waiting at the workers before it), so
the positions of one burst are distinct across workers too. They can still repeat when a user
reaches a worker's gate after it told the master how many were waiting: harmless, two callers
then send the same call, which a real client can do as well.

Cooperative scheduling means no locks: nothing here yields between reading and writing state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
from gevent.event import AsyncResult

READY, GO = "racelab_burst_ready", "racelab_burst_go"


@dataclass(frozen=True)
class Ticket:
    burst: int
    position: int
    released: int = 1  # users this process's gate released with it (one batch, in a batch mode)


class BurstGate:
    """Users call :meth:`wait`; it returns their ticket once the burst fires, or ``None`` if closed."""

    def __init__(self, parties: Callable[[], int], timeout: float = 2.0) -> None:
        self.parties = parties  # how many users make a burst, asked afresh at each arrival
        self.timeout = timeout  # re-check this often: users may have been stopped meanwhile
        self.ask_master: Callable[[int], None] | None = None  # set on workers: tells how many wait
        self.closed = False
        self.bursts = 0  # released so far by this gate
        self._next_local = 0
        self._new_generation()

    def _new_generation(self) -> None:
        self._result: AsyncResult = AsyncResult()
        self._waiting = 0
        self._asked = False

    def open(self) -> None:
        """Ready for a new run; users of an earlier run that were stopped at the gate are forgotten."""
        self.closed = False
        self._new_generation()

    def close(self) -> None:
        """No more bursts: waiting users are released with ``None`` and new arrivals return at once."""
        self.closed = True
        result = self._result
        self._new_generation()
        result.set(None)

    def wait(self) -> Ticket | None:
        if self.closed:
            return None
        result = self._result
        arrival = self._waiting
        self._waiting += 1
        if self._waiting >= max(1, self.parties()):
            self._trip()
        while True:
            try:
                fired: tuple[int, int, int] | None = result.get(timeout=self.timeout)
                return None if fired is None else Ticket(fired[0], fired[1] + arrival, fired[2])
            except gevent.Timeout:
                # Fewer users than expected (a ramp-down, a stop), or the master's answer is late:
                # fire with whoever is here, or ask the master again.
                if result is self._result and self._waiting:
                    self._trip(again=True)

    def _trip(self, again: bool = False) -> None:
        if self.ask_master is None:
            burst = self._next_local
            self._next_local += 1
            self.release(burst)
        elif again or not self._asked:
            self._asked = True
            self.ask_master(self._waiting)

    def release(self, burst: int, at: float | None = None, offset: int = 0) -> None:
        """Fire the current generation as burst ``burst``, at wall-clock time ``at`` if given;
        its users get positions ``offset``, ``offset + 1``... in their order of arrival."""
        result, released = self._result, self._waiting
        self._new_generation()
        self.bursts += 1
        delay = 0.0 if at is None else min(max(at - time.time(), 0.0), 0.5)
        if delay:
            # A burst due after the gate closed releases its users with None: nothing new is sent.
            gevent.spawn_later(delay, lambda: result.set(None if self.closed else (burst, offset, released)))
        else:
            result.set((burst, offset, released))


class Conductor:
    """The master's half of a distributed burst: collect the workers' "ready", then say "go"."""

    def __init__(self, runner: Any, lead_s: float = 0.02, grace_s: float = 0.5) -> None:
        self.runner = runner
        self.lead_s = lead_s  # time for the "go" message to reach every worker before the instant
        self.grace_s = grace_s  # fire without a worker that is not ready after this long
        self.ready: dict[str, int] = {}  # worker -> users waiting at its gate
        self.next_burst = 0
        self._timer: gevent.Greenlet | None = None
        runner.register_message(READY, self.on_ready)

    def reset(self) -> None:
        self.ready = {}
        self.next_burst = 0

    def expected(self) -> set[str]:
        """Workers that should join a burst: the active ones with users (all active ones while
        their user counts have not been reported yet)."""
        active = [n for n in self.runner.clients.values() if n.state in ("running", "spawning")]
        with_users = {n.id for n in active if n.user_count > 0}
        return with_users or {n.id for n in active}

    def on_ready(self, environment: Any = None, msg: Any = None, **_kw: Any) -> None:
        data = msg.data if isinstance(msg.data, dict) else {}
        self.ready[msg.node_id] = int(data.get("waiting", 0))
        if self.expected() <= set(self.ready):
            self.fire()
        elif self._timer is None:
            self._timer = gevent.spawn_later(self.grace_s, self.fire)

    def fire(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer is not gevent.getcurrent():
            timer.kill(block=False)
        if not self.ready:
            return
        at, offset = time.time() + self.lead_s, 0
        for node_id in sorted(self.ready):
            self.runner.send_message(GO, {"burst": self.next_burst, "at": at, "offset": offset}, client_id=node_id)
            offset += self.ready[node_id]
        self.next_burst += 1
        self.ready = {}


def join_conductor(runner: Any, gate: BurstGate) -> None:
    """Worker side: the gate asks the master, and fires when the master says so."""
    gate.ask_master = lambda waiting: runner.send_message(READY, {"waiting": waiting})

    def go(environment: Any = None, msg: Any = None, **_kw: Any) -> None:
        gate.release(msg.data["burst"], msg.data["at"], int(msg.data.get("offset", 0)))

    runner.register_message(GO, go)
