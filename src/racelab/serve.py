"""``python -m racelab.serve``: start one app replica with the server its topology names.

Both runtimes run this for every replica (the native app programs, compose's ``app`` service), so
a topology means the same server everywhere. It reads the replica's environment (``SERVER``,
``WORKERS``, ``THREADS``, ``BIND``, ``REPLICA_DIR``, ``LAB_TOKEN``), starts the replica's
``multiprocessing.Manager`` (once per replica, before any worker exists: :mod:`racelab.manager`),
then becomes the server, under the same process id, so that supervisord or the container stops it:

- ``gthread`` and ``gevent``: gunicorn with ``services/app/gunicorn.conf.py``, which takes its
  worker class from ``SERVER``;
- ``devserver``: Flask's development server, as a developer starts it: ``flask run
  --without-threads`` (one request at a time), ``flask run --with-threads`` (``THREADS`` > 1), or
  ``app.run(processes=WORKERS, threaded=False)`` (``WORKERS`` > 1; ``flask run`` has no flag for it).

Before anything starts, it sets the replica's CPU scheduling policy (``APP_SCHEDULING``,
inherited by every process and thread the replica makes): see :data:`SCHEDULING`.

Nothing here imports the app before the server starts (except for ``app.run``): gunicorn's gevent
worker must monkey-patch ``threading`` before any lock of the app exists.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from racelab import manager
from racelab.settings import AppSettings, SettingsError
from racelab.topology import ShapeError, check_shape

APP = "racelab.app:create_app()"


@dataclass(frozen=True)
class Launch:
    """What the replica's environment asks for."""

    server: str
    workers: int
    threads: int
    host: str
    port: int
    gunicorn_config: Path

    @classmethod
    def of(cls, settings: AppSettings, gunicorn_config: Path) -> Launch:
        host, _, port = os.environ.get("BIND", "0.0.0.0:8000").rpartition(":")
        if not port.isdigit():
            raise SettingsError(f"BIND={os.environ.get('BIND')!r} is not host:port")
        # WORKERS is 0 when not told; gunicorn.conf.py then uses its own default.
        return cls(settings.server, settings.workers or 1, settings.threads, host, int(port), gunicorn_config)


def exec_gunicorn(launch: Launch) -> None:
    # python -m gunicorn: the interpreter of this virtualenv, wherever its scripts live.
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(launch.gunicorn_config)])


def run_devserver(launch: Launch) -> None:
    if launch.workers > 1:
        forking_devserver(launch)
        return
    mode = "--with-threads" if launch.threads > 1 else "--without-threads"
    argv = ["--app", APP, "run", "--host", launch.host, "--port", str(launch.port), mode]
    # No reloader (it would run the app in a second process) and no debugger (it runs code sent to it).
    os.execv(sys.executable, [sys.executable, "-m", "flask", *argv, "--no-reload", "--no-debugger"])


def forking_devserver(launch: Launch) -> None:
    """``app.run(processes=N, threaded=False)``: Werkzeug forks a child for each connection."""
    import psycopg
    from werkzeug.serving import WSGIRequestHandler

    from racelab.app import create_app

    class OneRequestPerChild(WSGIRequestHandler):
        # HTTP/1.0 closes the connection after each response. With keep-alive, a child would
        # serve nginx's kept-alive connection for a minute, and with every allowed child so held,
        # the server would accept nothing new: a child per request is what app.run() promises.
        protocol_version = "HTTP/1.0"

    app = create_app()
    try:
        app.extensions["racelab"].apply_schemas_now()
    except psycopg.OperationalError as exc:  # each child then applies them itself
        print(f"racelab.serve: the schemas could not be applied before forking ({exc})", file=sys.stderr)
    app.run(
        launch.host,
        launch.port,
        threaded=False,
        processes=launch.workers,
        use_reloader=False,
        request_handler=OneRequestPerChild,
    )


class RequestSlots:
    """A WSGI app that runs at most ``slots`` requests at once; the others wait their turn.

    For gunicorn's gevent worker, whose greenlets are bounded by connections, not requests: nginx
    keeps idle connections open, each holding a greenlet, so worker_connections must be large,
    and then nothing bounds the requests in flight. A request may hold two pooled connections at
    once (an advisory lock on one, its work on another); with more requests than the pool has
    room for, every request can hold one and wait for a second: the whole worker stalls until the
    pool times out. THREADS slots per worker, as gthread has THREADS threads, keep the pools
    (sized from THREADS) large enough. Under gevent the semaphore is gevent's, so waiting yields.
    """

    def __init__(self, app: WSGIApplication, slots: int) -> None:
        self.app = app
        self.slots = threading.BoundedSemaphore(slots)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self.slots:
            body = self.app(environ, start_response)
            try:
                return list(body)  # the app's answers are small JSON: done before the slot is freed
            finally:
                close: Any = getattr(body, "close", None)
                if close is not None:
                    close()


# APP_SCHEDULING -> Linux scheduling policy. Why batch by default: when the first requests of a
# burst reach a replica, its sleeping processes wake up, and Linux lets a woken process preempt
# the one running on its core, which on a machine with few cores is often nginx, halfway through
# handing on the burst: the rest of the burst then waits for the app's Python to yield the core,
# and the app spreads out the very burst it is receiving (measured on 2 cores: 20 requests sent
# in one packet landed 1.1 ms apart, median, with a gap of 0.2-0.8 ms after the first one or
# two; with batch 0.2 ms). A SCHED_BATCH process never preempts on wakeup (it waits for a free
# core or the next tick) and otherwise gets its fair share of CPU like any other; no privilege
# is needed to choose it. On a machine with a core to spare for nginx it changes nothing.
SCHEDULING: dict[str, int] = {"batch": os.SCHED_BATCH, "normal": os.SCHED_OTHER}


def set_scheduling(policy: str) -> None:
    """This process's (and its children's and threads') scheduling policy, by name."""
    os.sched_setscheduler(0, SCHEDULING[policy], os.sched_param(0))


# Each server kind (racelab.topology.SERVERS) and how to become it.
LAUNCHERS: dict[str, Callable[[Launch], None]] = {
    "gthread": exec_gunicorn,
    "gevent": exec_gunicorn,
    "devserver": run_devserver,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m racelab.serve", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gunicorn-config",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "services/app/gunicorn.conf.py",
        help="gunicorn's settings file (default: the checkout's services/app/gunicorn.conf.py)",
    )
    args = parser.parse_args(argv)
    try:
        settings = AppSettings.from_env()
        launch = Launch.of(settings, args.gunicorn_config)
        check_shape(launch.server, launch.workers, launch.threads)
    except (SettingsError, ShapeError) as exc:
        print(f"racelab.serve: {exc}", file=sys.stderr)
        return 2
    set_scheduling(settings.scheduling)
    pid = manager.start(settings.replica_dir, settings.lab_token)
    print(
        f"racelab.serve: {settings.replica_id}: the replica's multiprocessing.Manager runs as pid {pid} on "
        f"{manager.address(settings.replica_dir)!r}; starting the {launch.server} server on "
        f"{launch.host}:{launch.port} ({settings.scheduling} scheduling)",
        file=sys.stderr,
        flush=True,
    )
    LAUNCHERS[launch.server](launch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
