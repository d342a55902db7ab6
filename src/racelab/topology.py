"""Topologies: how much concurrency the stack puts behind nginx, and which server runs the app.

A strategy is safe up to some *scope* of concurrency (no concurrency at all, greenlets of one
thread, threads of one process, processes of one replica, every replica). A topology exposes the
app to one scope. The expected verdict of a strategy under a topology is computed from the two,
never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Scope(IntEnum):
    """How far concurrent requests can spread; each level includes the ones below it."""

    NONE = 0  # one request at a time
    # Several greenlets of one OS thread (gevent): they take turns only where the running one
    # yields (I/O, a sleep), so code with no yield between its read and its write runs alone.
    GREENLETS = 1
    THREADS = 2  # several threads of one process: the interpreter may switch between any two bytecodes
    PROCESSES = 3  # several processes sharing one host directory (one replica)
    REPLICAS = 4  # several replicas, each with its own memory and filesystem

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Server:
    """What serves the app inside one replica, and what its "threads" are."""

    name: str
    unit: Scope  # what several of its threads add: real threads, or greenlets of one thread
    description: str
    # Werkzeug's server forks or threads, never both; gunicorn's workers each run their threads.
    processes_and_threads: bool = True


SERVERS: dict[str, Server] = {
    s.name: s
    for s in (
        Server("gthread", Scope.THREADS, "gunicorn's gthread worker: WORKERS processes with THREADS threads each"),
        Server(
            "gevent",
            Scope.GREENLETS,
            "gunicorn -k gevent: WORKERS processes, each one OS thread running a greenlet per connection "
            "(THREADS sizes the connection pools)",
        ),
        Server(
            "devserver",
            Scope.THREADS,
            "Flask's development server (Werkzeug): one request at a time; with THREADS > 1 a new thread per "
            "request (flask run --with-threads); with WORKERS > 1 a forked child per request, WORKERS at once "
            "(app.run(processes=WORKERS))",
            processes_and_threads=False,
        ),
    )
}
DEFAULT_SERVER = "gthread"
FORKING_SERVER_MIN_WINDOW_MS = 20  # see Topology.min_race_window_ms

# How a greenlet names itself in ``served_by.thread``: a greenlet is not a thread (see
# Scope.GREENLETS), and the judge must tell them apart when it checks who actually answered.
GREENLET_PREFIX = "greenlet-"


def is_greenlet(thread: str) -> bool:
    return thread.startswith(GREENLET_PREFIX)


@dataclass(frozen=True)
class Topology:
    name: str
    replicas: int
    workers: int
    threads: int
    description: str = ""
    server: str = DEFAULT_SERVER

    @property
    def scope(self) -> Scope:
        if self.replicas > 1:
            return Scope.REPLICAS
        if self.workers > 1:
            return Scope.PROCESSES
        if self.threads > 1:
            return SERVERS[self.server].unit
        return Scope.NONE

    @property
    def min_race_window_ms(self) -> int:
        """The narrowest read-write gap the app allows under this topology (0: any).

        Werkzeug's forking server (``processes=N``) forks a child per request, and each child
        opens its own connections first: one burst's requests reach the app over about a second,
        one after another. Its races are real, but with no gap between read and write the
        check-then-act ones (the last item, the crowded name) rarely meet. A 20 ms gap makes them
        show on every run, as on the other topologies at 0.
        """
        return FORKING_SERVER_MIN_WINDOW_MS if self.server == "devserver" and self.workers > 1 else 0

    @property
    def shape(self) -> str:
        """``3x2x4``, with the server when it is not gunicorn's gthread: ``1x1x32 gevent``."""
        numbers = f"{self.replicas}x{self.workers}x{self.threads}"
        return numbers if self.server == DEFAULT_SERVER else f"{numbers} {self.server}"


TOPOLOGIES: dict[str, Topology] = {
    t.name: t
    for t in (
        Topology("single", 1, 1, 1, "one replica, one process, one thread: no concurrency"),
        Topology("threads", 1, 1, 8, "one process with eight threads"),
        Topology("processes", 1, 4, 1, "one replica with four single-threaded processes"),
        Topology("replicas", 3, 2, 4, "three replicas x two processes x four threads (the default)"),
        Topology(
            "gevent",
            1,
            1,
            16,
            "gunicorn -k gevent: one process, one OS thread, a greenlet per connection, switching only at I/O "
            "(16 sizes its connection pools, not its greenlets)",
            server="gevent",
        ),
        Topology(
            "devserver-single",
            1,
            1,
            1,
            "Flask's development server, flask run --without-threads: one request at a time",
            server="devserver",
        ),
        Topology(
            "devserver-threads",
            1,
            1,
            32,
            "Flask's development server, flask run --with-threads: a new thread per request, no limit "
            "(32 sizes its connection pools: two per request in flight)",
            server="devserver",
        ),
        Topology(
            "devserver-processes",
            1,
            4,
            1,
            "Flask's development server, app.run(processes=4, threaded=False): a forked child per request, 4 at once",
            server="devserver",
        ),
    )
}

DEFAULT_TOPOLOGY = "replicas"


def custom_topology(replicas: int, workers: int, threads: int, server: str = DEFAULT_SERVER) -> Topology:
    """The named topology with these numbers and server, or an unnamed one ("custom")."""
    for topology in TOPOLOGIES.values():
        if (topology.replicas, topology.workers, topology.threads, topology.server) == (
            replicas,
            workers,
            threads,
            server,
        ):
            return topology
    return Topology("custom", replicas, workers, threads, "set by REPLICAS / WORKERS / THREADS / SERVER", server)


class ShapeError(ValueError):
    """A server cannot run this shape; the message says why and what to choose instead."""


def check_shape(server: str, workers: int, threads: int) -> None:
    """Refuse what a server cannot run, before anything starts."""
    if server not in SERVERS:
        raise ShapeError(f"SERVER={server!r} is not a server; choose one of: {', '.join(SERVERS)}")
    if not SERVERS[server].processes_and_threads and workers > 1 and threads > 1:
        raise ShapeError(
            f"SERVER={server} runs several processes or several threads, not both (WORKERS={workers}, "
            f"THREADS={threads}): set one of them to 1"
        )
