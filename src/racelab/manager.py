"""One ``multiprocessing.Manager`` server per replica, and each worker's connection to it.

The answer people get for "how do my gunicorn workers share a variable?" is often a Manager: a
server process that owns the objects and hands out proxies; every method call on a proxy is a
round trip to that process, which runs it on the real object. This module is that, done as the
answer says:

- **Started once per replica, before any worker exists**: :mod:`racelab.serve` starts it, then
  becomes gunicorn (or Flask's development server), whose workers are forked afterwards. A
  manager per worker would share nothing.
- **On a Unix socket in the replica's own folder** (``REPLICA_DIR/manager.sock``), with an authkey
  derived from ``LAB_TOKEN``: each replica has its own manager, as each has its own folder.
- **Connected to lazily, after fork**, by each worker process (:class:`ManagerClient`); each
  thread (or greenlet) of a worker gets its own connection, which multiprocessing opens on the
  thread's first call.
- **Dies with its replica**: it watches its parent (the server it was started for) and exits
  when that is gone. If *it* dies, nothing starts it again until the replica restarts: its values
  are gone, and every call answers ``503 manager_unavailable`` (:class:`ManagerUnavailable`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import socket
import threading
from collections.abc import Callable
from multiprocessing import connection
from multiprocessing.managers import BaseManager, DictProxy
from pathlib import Path
from typing import Any, Protocol, TypeVar

SOCKET_NAME = "manager.sock"
PID_NAME = "manager.pid"
LOCK_STRIPES = 256  # a fixed set of locks, each key hashed onto one (as ThreadLockGuard does)
PARENT_POLL_S = 0.2
# AF_UNIX paths are limited to 108 bytes; a deeper replica folder gets an abstract socket instead.
MAX_SOCKET_PATH = 100

T = TypeVar("T")


class ManagerUnavailable(Exception):
    """The replica's manager did not answer (it died, or never started). A call that reached it
    may have been applied, so the outcome is indeterminate: a 5xx, never a 4xx."""


class ManagedLock(Protocol):
    """What a ``Lock`` proxy offers (``AcquirerProxy``, which typeshed does not describe)."""

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool: ...

    def release(self) -> None: ...


# --- the server side: these live in the manager process -------------------------------------

_values: dict[str, Any] = {}
_locks: list[threading.Lock] = []
_locks_made = threading.Lock()


def _shared_values() -> dict[str, Any]:
    return _values


def _shared_lock(stripe: int) -> threading.Lock:
    with _locks_made:  # the server runs each connection in a thread of its own
        if not _locks:
            _locks.extend(threading.Lock() for _ in range(LOCK_STRIPES))
    return _locks[stripe % LOCK_STRIPES]


def _client(where: str, family: str | None = None, authkey: bytes | None = None) -> connection.Connection[Any, Any]:
    """``multiprocessing.connection.Client`` for a Unix socket, whose descriptor is blocking even
    under gevent.

    gevent's patched sockets keep their descriptor non-blocking (they wait cooperatively), and
    multiprocessing reads the detached descriptor with a plain ``os.read``: EAGAIN at once. So
    the connection is made blocking again: under gevent a call to the manager then blocks its
    whole worker for the round trip, as any C-level blocking call does.
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(where)
    except BaseException:
        sock.close()
        raise
    conn: connection.Connection[Any, Any] = connection.Connection(sock.detach())
    os.set_blocking(conn.fileno(), True)
    if authkey is not None:
        connection.answer_challenge(conn, authkey)
        connection.deliver_challenge(conn, authkey)
    return conn


# The manager and its proxies pick their Listener and Client by serializer name: this one is
# pickle, as the default, with the client above.
SERIALIZER = "racelab"
getattr(multiprocessing.managers, "listener_client")[SERIALIZER] = (connection.Listener, _client)  # noqa: B009


class LabManager(BaseManager):
    """``values()``: one dict for the whole replica; ``lock(stripe)``: one of its locks."""


LabManager.register("values", callable=_shared_values, proxytype=DictProxy)
# AcquirerProxy: acquire and release, as SyncManager.Lock's proxies (typeshed leaves it out).
LabManager.register("lock", callable=_shared_lock, proxytype=getattr(multiprocessing.managers, "AcquirerProxy"))  # noqa: B009


def authkey(token: str) -> bytes:
    """The manager's authkey: only processes that know the lab's token may connect."""
    return hashlib.blake2b(b"racelab-manager\0" + token.encode(), digest_size=32).digest()


def address(replica_dir: Path) -> str:
    path = str(replica_dir / SOCKET_NAME)
    if len(path.encode()) <= MAX_SOCKET_PATH:
        return path
    # Linux's abstract namespace: no file, so no path length limit (the authkey still guards it).
    return "\0racelab-manager-" + hashlib.blake2b(path.encode(), digest_size=12).hexdigest()


def pid_file(replica_dir: Path) -> Path:
    return replica_dir / PID_NAME


def _serve_while_parent_lives(parent: int, pid_path: str) -> None:
    """Runs in the manager process before it serves: record its pid, and exit once the server it
    was started for is gone (a SIGKILLed gunicorn master runs no clean-up to stop it)."""
    Path(pid_path).write_text(f"{os.getpid()}\n")

    def watch() -> None:
        stop = threading.Event()
        while os.getppid() == parent:
            stop.wait(PARENT_POLL_S)  # a futex wait, not a sleep: see tests/nginx/test_errors.py
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def start(replica_dir: Path, token: str) -> int:
    """Start this replica's manager process (forked from the caller); return its pid."""
    replica_dir.mkdir(parents=True, exist_ok=True)
    where = address(replica_dir)
    if not where.startswith("\0"):
        # A manager killed with SIGKILL leaves its socket file; binding over it would fail.
        Path(where).unlink(missing_ok=True)
    pid_path = pid_file(replica_dir)
    pid_path.unlink(missing_ok=True)
    manager = LabManager(address=where, authkey=authkey(token), serializer=SERIALIZER)
    manager.start(initializer=_serve_while_parent_lives, initargs=(os.getpid(), str(pid_path)))
    # multiprocessing shuts a started manager down once its object is garbage-collected: keep it
    # for as long as this process lives (racelab.serve then replaces the process image, which
    # runs no finalizer at all).
    _started.append(manager)
    return int(pid_path.read_text())


_started: list[LabManager] = []


# --- the client side: one per worker process ------------------------------------------------


class ManagerClient:
    """One worker process's way to its replica's manager, connected on first use (after fork)."""

    def __init__(self, replica_dir: Path, token: str) -> None:
        self.address = address(replica_dir)
        self._authkey = authkey(token)
        self._lock = threading.Lock()
        self._manager: LabManager | None = None
        self._values: DictProxy[str, Any] | None = None
        self._locks: dict[int, ManagedLock] = {}

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (OSError, EOFError, multiprocessing.AuthenticationError, multiprocessing.managers.RemoteError) as exc:
            raise ManagerUnavailable(
                f"the replica's multiprocessing.Manager did not answer ({what}: {type(exc).__name__}); it is gone "
                "with every value it held, and comes back only when the replica restarts (make down, then make up)"
            ) from exc

    def _connected(self) -> LabManager:
        with self._lock:
            if self._manager is None:
                manager = LabManager(address=self.address, authkey=self._authkey, serializer=SERIALIZER)
                self._call("connect", manager.connect)
                self._manager = manager
            return self._manager

    def values(self) -> DictProxy[str, Any]:
        if self._values is None:
            manager = self._connected()
            proxy: DictProxy[str, Any] = self._call("values", lambda: getattr(manager, "values")())  # noqa: B009
            self._values = proxy
        return self._values

    def get(self, key: str, default: T) -> Any | T:
        values = self.values()
        return self._call("get", lambda: values.get(key, default))

    def set(self, key: str, value: Any) -> None:
        values = self.values()
        self._call("set", lambda: values.__setitem__(key, value))

    def lock(self, stripe: int) -> ManagedLock:
        stripe %= LOCK_STRIPES
        if stripe not in self._locks:
            manager = self._connected()
            self._locks[stripe] = self._call("lock", lambda: getattr(manager, "lock")(stripe))  # noqa: B009
        return self._locks[stripe]

    def acquire(self, lock: ManagedLock, timeout: float) -> bool:
        return self._call("acquire", lambda: lock.acquire(True, timeout))

    def release(self, lock: ManagedLock) -> None:
        self._call("release", lock.release)

    def ping(self) -> None:
        """A round trip (for /healthz)."""
        values = self.values()
        self._call("ping", values.__len__)
