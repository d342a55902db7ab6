"""The module-level counter again, but nothing between its read and its write gives control away.

**Mechanism.** Like ``global-unsafe``, it reads the counter, spends its race window, then writes
read + 1. Here the window is spent *computing* (a busy loop of at least two of the interpreter's
switch intervals, 10 ms, or the race window if longer) instead of sleeping: no I/O, no sleep, no
lock, nothing that yields between the read and the write.

**Greenlets (gevent).** Holds. gevent switches greenlets only where the running one yields (a
socket read, a sleep, a lock wait); a greenlet that never yields between its read and its write
runs them as one step, so no other greenlet can read in between. This is the one claim about
async workers that is true, and it holds only while the code stays that way: add a log line
to a file, a query or a ``time.sleep`` in the window and it fails like ``global-unsafe``.

**Threads.** Fails. The interpreter hands the GIL to another thread every switch interval
(``sys.getswitchinterval()``, 5 ms), wherever the running one is; a thread preempted between its
read and its write lets another read the same value. No yield point is needed.

**Processes and replicas.** Fails: each process has its own copy of the counter.

**Cost.** Every call burns 10 ms of CPU, and under gevent it blocks its whole worker meanwhile: no
other greenlet runs, which is exactly why it holds there.

**Anomalies:** duplicate values and lost updates under threads, processes and replicas.
"""

from __future__ import annotations

import sys
import time

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import MemoryCounter

SWITCHES = 2  # switch intervals the window lasts at least: a thread is preempted inside it


def compute_for(seconds: float) -> None:
    """Keep the CPU busy for this long without yielding to anything but preemption."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


class ComputingCounter(MemoryCounter):
    """A module-level integer whose read-modify-write computes instead of waiting."""

    yields = False

    def next(self, ctx: Ctx) -> Outcome:
        cell = self.cell
        cell.sync(ctx.epoch())  # I/O, but before the read: greenlets may switch here, harmlessly
        current = cell.value
        compute_for(max(ctx.race_window_s, SWITCHES * sys.getswitchinterval()))
        cell.value = current + 1
        return Outcome(current + 1)


STRATEGY = ComputingCounter("global-no-yield", "module-level counter, read, compute, write: no yield in between")
