"""gunicorn's gthread worker, with ``GET /healthz`` answered by a thread of its own and every
request stamped with the kernel's receive time.

**Health first.** A gthread worker accepts connections in its main thread and queues every
request for a pool of THREADS threads. When all of them are busy (waiting for a lock, a slow
Postgres, a store that is down), a health check waits in that queue behind them: nginx, compose's
healthcheck and ``make up`` then see a replica that is merely busy as dead, and cannot tell a
replica that is really stuck from one that is not. This worker looks at the first bytes of each
request before queueing it (``MSG_PEEK``: nothing is consumed) and hands ``GET /healthz`` to a
second pool of one thread, which busy requests never occupy. The check itself waits at most a few
seconds for each store (see ``racelab.app.lab.HEALTH_CHECKS``), and the connection pool keeps a
connection more than the request threads can take.

Chosen over a separate health port or a thread with its own server: the check stays the app's
own ``/healthz`` on the replica's one port (the same URL through nginx, natively and in compose),
and it runs the same code as every other request, only never behind them.

**Receive stamps.** The listening sockets ask the kernel to stamp what they receive, and each
accepted connection is read through :class:`racelab.app.landing.ReceiveStampedSocket`, which
keeps the stamp of each request's first read (:mod:`racelab.app.landing` says why that is where
a request lands). The app reads it off ``environ["gunicorn.socket"]``.
"""

from __future__ import annotations

import importlib
import socket
from concurrent import futures
from typing import Any

from racelab.app import landing

HEALTH_REQUEST = b"GET /healthz"


def wants_health(sock: Any) -> bool:
    """Whether the request waiting on this socket is ``GET /healthz``, without reading it."""
    try:
        head = sock.recv(len(HEALTH_REQUEST), socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # nothing arrived yet, or the peer left: the ordinary queue decides
        return False
    return bool(head == HEALTH_REQUEST)


def _init_process(self: Any) -> None:
    self.health_pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
    for listener in self.sockets:  # before the loop starts: accepted connections inherit it
        landing.enable(listener)
    THREAD_WORKER.init_process(self)  # runs the worker's loop: returns when it stops


def _enqueue_req(self: Any, conn: Any) -> None:
    if not isinstance(conn.sock, landing.ReceiveStampedSocket):  # a new connection
        conn.sock = landing.ReceiveStampedSocket(conn.sock)
    if not wants_health(conn.sock):
        THREAD_WORKER.enqueue_req(self, conn)
        return
    done = self.health_pool.submit(self.handle, conn)
    done.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))


def _handle(self: Any, conn: Any) -> Any:
    conn.sock.next_request()  # each request on a kept-alive connection has its own stamp
    return THREAD_WORKER.handle(self, conn)


# gunicorn ships no type information: the subclass is built at run time, over its gthread worker.
THREAD_WORKER: Any = importlib.import_module("gunicorn.workers.gthread").ThreadWorker
LabThreadWorker: type = type(
    "LabThreadWorker",
    (THREAD_WORKER,),
    {
        "__doc__": "gthread, plus one thread that serves only ``/healthz``, and receive stamps.",
        "init_process": _init_process,
        "enqueue_req": _enqueue_req,
        "handle": _handle,
    },
)
