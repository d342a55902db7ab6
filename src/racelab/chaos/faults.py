"""The faults, one at a time: each injects, waits, heals, and says what it did and when.

A fault's ``run`` returns a :class:`Window`: when the fault began and ended (recovery is measured
from the end) and what exactly was done. Adding a fault is adding an entry to :data:`FAULTS`
(and, when it destroys a store's data, to ``checks.DESTROYS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from racelab.chaos.nemesis import PAUSE_RACE_WINDOW_MS, Holder, Nemesis, NemesisError

OUTAGE_S = 3.0  # how long a stopped store stays down
DELAY_MS = 150  # netem delay on each Postgres packet
DELAY_S = 5.0
PAUSE_MARGIN_S = 2.5
# During the pause clients give up on a call after this (indeterminate) and send the next one:
# calls that nginx passed to a stopped worker would otherwise hold every client until SIGCONT,
# and with nobody left to take the expired lock the stale write would overwrite nothing.
PAUSE_CALL_TIMEOUT_S = 4.0
PAUSE_CLIENTS = 32  # more clients: those waiting on the stopped process leave others free
QUIET_S = 0.3  # a paused holder sleeps this much past its lock's TTL
PAUSE_SEARCH_S = 10.0  # time to catch a holder inside its read-to-write window


@dataclass
class Window:
    start: float
    end: float
    did: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """What a fault needs to know about the run, and its handles on the load."""

    leases: dict[str, str]  # strategy key -> its Redis lock key, for the lease strategies under load
    ttl_s: float  # their locks' TTL
    # window(key): only that strategy runs with the race window (None: none does). While hunting
    # a holder it spends most of its time with the lock between read and write; once stopped,
    # the holders after it run without one, so they make many increments for its stale write to
    # undo (more than the calls the stopped process leaves indeterminate could account for).
    window: Callable[[str | None], None] = lambda key: None
    # quiet(key, True): stop calling that strategy; quiet(key, False): call it again. Around the
    # resume, so that the stale write lands on a quiet store (no newer holder between its read
    # and its write, whose write would overwrite it by luck) and the next callers read it.
    quiet: Callable[[str, bool], None] = lambda key, on: None
    window_ms: int = PAUSE_RACE_WINDOW_MS  # the race window the lease strategies get while hunted


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    run: Callable[[Nemesis, Plan], Window]


def _instant(action: Callable[[Nemesis], str]) -> Callable[[Nemesis, Plan], Window]:
    def run(nemesis: Nemesis, plan: Plan) -> Window:
        start = time.time()
        did = action(nemesis)
        return Window(start, time.time(), [did])

    return run


def _outage(service: str) -> Callable[[Nemesis, Plan], Window]:
    def run(nemesis: Nemesis, plan: Plan) -> Window:
        start = time.time()
        did = [nemesis.stop(service)]
        time.sleep(OUTAGE_S)
        did.append(nemesis.start(service))
        return Window(start, time.time(), did)

    return run


def _crash(service: str) -> Callable[[Nemesis, Plan], Window]:
    def run(nemesis: Nemesis, plan: Plan) -> Window:
        start = time.time()
        return Window(start, time.time(), [nemesis.crash(service)])

    return run


def in_window(held_at_stop_ms: float, window_ms: int) -> bool:
    """Taken long enough before the stop to have read (on a busy machine a thread may wait many
    milliseconds for the interpreter after it took the lock), not so long that it has written."""
    return window_ms * 0.5 <= held_at_stop_ms <= window_ms - 5


def catch_holder(
    nemesis: Nemesis, key: str, ttl_s: float, window_ms: int, deadline: float, paused: dict[int, float]
) -> tuple[Holder, str]:
    """Pause the holder of ``key`` while it is between its read and its write.

    Stop the process the lock's token names, then look again: if the same token still holds the
    lock and was taken at least half its race window (and not all of it) before the stop (its TTL's remaining
    time says when), the holder is frozen inside its race window, where its write is stale;
    otherwise let it go and try again. ``paused`` (pid: when it was stopped) are left stopped.
    """
    while time.time() < deadline:
        holder, _ = nemesis.lock(key)
        if holder is None:
            time.sleep(0.002)
            continue
        stopped_at = paused.get(holder.pid)
        if stopped_at is None:
            try:
                did = nemesis.pause(holder)
            except (NemesisError, ProcessLookupError):
                continue
            stopped_at = time.monotonic()  # frozen by now (docker pause returns once it is)
        else:
            did = f"pid {holder.pid} ({holder.replica}), already stopped"
        again, remaining_ms = nemesis.lock(key)
        held_at_stop = ttl_s * 1000 - remaining_ms - (time.monotonic() - stopped_at) * 1000
        if again == holder and in_window(held_at_stop, window_ms):
            paused[holder.pid] = stopped_at
            return (
                holder,
                f"{did}, holding {key} for {held_at_stop:.0f} ms when stopped: between its read and its write",
            )
        if holder.pid not in paused:
            nemesis.resume(holder)
        time.sleep(0.002)
    raise NemesisError(f"could not catch a holder of {key} inside its race window")


def pause_one(nemesis: Nemesis, plan: Plan, strategy: str, lock_key: str) -> list[str]:
    """Stop the holder of one strategy's lock inside its race window, past the TTL; resume it
    with that strategy's other callers held back."""
    plan.window(strategy)
    paused: dict[int, float] = {}
    holder, what = catch_holder(
        nemesis, lock_key, plan.ttl_s, plan.window_ms, time.time() + plan.ttl_s + PAUSE_SEARCH_S, paused
    )
    try:
        plan.window(None)
        time.sleep(plan.ttl_s + PAUSE_MARGIN_S)
        plan.quiet(strategy, True)
        time.sleep(QUIET_S)  # the holders after it finish their read-modify-write
    finally:
        nemesis.resume(holder)
    time.sleep(QUIET_S)  # the stopped holder wakes, writes its stale value and fails to release
    plan.quiet(strategy, False)
    return [what, f"SIGCONT {plan.ttl_s + PAUSE_MARGIN_S + QUIET_S:g} s later (the lock's TTL is {plan.ttl_s:g} s)"]


def _pause(nemesis: Nemesis, plan: Plan) -> Window:
    """One lease strategy after the other: one stopped process at a time, so that most calls
    still reach a running worker and somebody takes each expired lock."""
    if not plan.leases:
        raise NemesisError("no strategy under load takes a lease (a Redis lock with a TTL): nothing to pause")
    start = time.time()
    did: list[str] = []
    for strategy, lock_key in plan.leases.items():
        did += pause_one(nemesis, plan, strategy, lock_key)
    return Window(start, time.time(), did)


def _delay(nemesis: Nemesis, plan: Plan) -> Window:
    start = time.time()
    did = [nemesis.delay("postgres", DELAY_MS)]
    try:
        time.sleep(DELAY_S)
    finally:
        nemesis.undelay()
    did.append(f"delay removed after {DELAY_S:g} s")
    return Window(start, time.time(), did)


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("kill-worker", "kill -9 one gunicorn worker of a replica", _instant(lambda n: n.kill_worker())),
        Fault(
            "kill-replica",
            "kill -9 a replica's gunicorn master (the whole replica)",
            _instant(lambda n: n.kill_replica()),
        ),
        Fault("restart-postgres", f"stop Postgres for {OUTAGE_S:g} s, then start it", _outage("postgres")),
        Fault(
            "restart-redis", f"stop Redis (it writes its data out) for {OUTAGE_S:g} s, then start it", _outage("redis")
        ),
        Fault("crash-redis", "kill -9 Redis; supervisord restarts it from its append-only file", _crash("redis")),
        Fault("pause-lock-holder", "SIGSTOP the holder of a Redis lock past the lock's TTL, then SIGCONT", _pause),
        Fault("delay-postgres", f"{DELAY_MS} ms network delay on Postgres's packets for {DELAY_S:g} s", _delay),
    )
}
