"""When each request reached the app, and when the app began it: returned in the answer's headers.

A race is decided by when the requests *arrive*, not by when the client sent them: a burst sent
within 0.1 ms can still reach the app milliseconds apart (nginx, the network), and the app can
still begin them milliseconds apart (its threads and processes queue for the GIL and the cores).
Every answer carries both moments:

- ``X-Racelab-Arrived-Wall``: when the request landed on the app's socket, the kernel's receive
  stamp (:mod:`racelab.app.landing`; gunicorn's gthread worker, the lab's default, reads it; the
  gevent worker and the dev server do not, and their answers leave it out);
- ``X-Racelab-Started-Wall``: when the app began the request, read in the app's WSGI entry
  (``LabFlask.wsgi_app``) before Flask builds its request context, on the wall clock;
- ``X-Racelab-Started-Ns``: the same moment on ``time.monotonic_ns()``, this process's steady
  clock (never steps; compares moments within one process, and on Linux across one host's).

Wall clocks, seconds since the epoch with microseconds: they are what a burst's arrival and start
spreads use (see :mod:`racelab.engine.spreads` for why). The start stamp is taken in gunicorn's
worker thread once the request's headers have been parsed: what the app's own queueing added is
part of the start spread, and the difference between the two spreads is that queueing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ARRIVED_WALL = "X-Racelab-Arrived-Wall"
STARTED_WALL = "X-Racelab-Started-Wall"
STARTED_NS = "X-Racelab-Started-Ns"


def wall_text(wall_ns: int) -> str:
    """Seconds since the epoch with six decimals, from integers: a float would round at 0.2 µs."""
    return f"{wall_ns // 1_000_000_000}.{wall_ns % 1_000_000_000 // 1000:06d}"


def stamped(environ: WSGIEnvironment, start_response: StartResponse) -> StartResponse:
    """``start_response`` that adds the arrival (if the server kept it) and the start, taken now,
    to the answer's headers."""
    mono_ns, wall_ns = time.monotonic_ns(), time.time_ns()
    stamp = [(STARTED_NS, str(mono_ns)), (STARTED_WALL, wall_text(wall_ns))]
    received_ns = getattr(environ.get("gunicorn.socket"), "received_ns", None)
    if isinstance(received_ns, int):
        stamp.append((ARRIVED_WALL, wall_text(received_ns)))

    def with_stamp(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        return start_response(status, [*headers, *stamp], exc_info)

    return with_stamp
