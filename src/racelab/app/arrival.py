"""When each request reached the app: stamped first thing, returned in the answer's headers.

A race is decided by when the requests *arrive*, not by when the client sent them: a burst sent
within 0.1 ms can still reach the workers 20 ms apart (nginx queues, a busy worker's accept). So
the app's WSGI entry (``LabFlask.wsgi_app``), before Flask builds its request context, reads two clocks and every
answer carries them:

- ``X-Racelab-Arrived-Ns``: ``time.monotonic_ns()``, this process's steady clock (never steps;
  compares arrivals within one process, and on Linux across the processes of one host too);
- ``X-Racelab-Arrived-Wall``: the wall clock, seconds since the epoch with microseconds, which is
  what the arrival spread of a burst uses (see :mod:`racelab.engine.spreads` for why).

The stamp is taken in gunicorn's worker thread once the request's headers have been parsed: what
nginx and the accept queue added before it is part of the measured spread, which is the point.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse

ARRIVED_NS = "X-Racelab-Arrived-Ns"
ARRIVED_WALL = "X-Racelab-Arrived-Wall"


def wall_text(wall_ns: int) -> str:
    """Seconds since the epoch with six decimals, from integers: a float would round at 0.2 µs."""
    return f"{wall_ns // 1_000_000_000}.{wall_ns % 1_000_000_000 // 1000:06d}"


def stamped(start_response: StartResponse) -> StartResponse:
    """``start_response`` that adds the arrival stamp, taken now, to the answer's headers."""
    mono_ns, wall_ns = time.monotonic_ns(), time.time_ns()
    stamp = [(ARRIVED_NS, str(mono_ns)), (ARRIVED_WALL, wall_text(wall_ns))]

    def with_stamp(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        return start_response(status, [*headers, *stamp], exc_info)

    return with_stamp
