"""gunicorn settings for one app replica, read from the same variables in both runtimes."""

import json
import os
import socket
from typing import Any

from gunicorn import util

wsgi_app = "racelab.app:create_app()"
bind = os.environ.get("BIND", "0.0.0.0:8000")
# SERVER comes from the topology (racelab.serve starts gunicorn for these two):
# gthread: several processes, each with a thread pool; the lab needs both kinds of concurrency.
# gevent: each process is one OS thread running up to THREADS greenlets, which switch only at I/O.
# gthread's /healthz gets a thread of its own, so that it never queues behind busy requests
# (racelab.app.worker says why and how), and the kernel stamps when each request lands.
_WORKERS = {"gthread": "racelab.app.worker.LabThreadWorker"}
worker_class = _WORKERS.get(os.environ.get("SERVER") or "gthread", os.environ.get("SERVER") or "gthread")
workers = int(os.environ.get("WORKERS", "2"))
threads = int(os.environ.get("THREADS", "4"))
# The gevent worker's greenlets per process, one per open connection (gthread ignores it, as
# gevent ignores threads). gunicorn's default, not THREADS: nginx keeps up to 64 idle connections
# per nginx worker open to each replica, and each holds a greenlet; with fewer greenlets than
# that, new connections would wait in the backlog until an idle one times out (75 s).
worker_connections = 1000
# Never preload: pools opened before fork would be shared, broken sockets in every worker.
preload_app = False
timeout = 30
# make down should not wait long for in-flight requests of a lab run.
graceful_timeout = 5
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections first
# and never sends a request down a connection gunicorn is closing.
keepalive = 75
# nginx refuses oversized requests first, as JSON (services/nginx/racelab.conf.template); these
# limits sit above all that nginx lets through, so gunicorn's HTML error pages never reach a client.
# 0 = none of its own: nginx passes request lines of up to 8190 bytes, gunicorn's largest limit exactly.
limit_request_line = 0
# gunicorn's maximum: nginx bounds the headers' total size (32 KB), not their number.
limit_request_fields = 32768
# nginx passes header lines of up to 8 KB, but joins every X-Forwarded-For into one line (up to its
# 32 KB of headers) and appends the client's address. (0 would mean gunicorn's default, 8190.)
limit_request_field_size = 65536
# gunicorn's control socket (gunicornc) defaults to ~/.gunicorn/gunicorn.ctl: one path for every
# replica of a host, and unwritable in a read-only container. Each replica's own folder has room.
if os.environ.get("REPLICA_DIR"):
    control_socket = os.path.join(os.environ["REPLICA_DIR"], "gunicorn.ctl")
accesslog = None
errorlog = "-"
loglevel = "info"


def post_worker_init(worker: Any) -> None:
    """gevent: at most THREADS requests at once per worker (racelab.serve.RequestSlots says why)."""
    if worker_class == "gevent":
        from racelab.serve import RequestSlots  # in the worker, after gevent patched threading

        worker.wsgi = RequestSlots(worker.wsgi, threads)


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error page (a request its parser refuses before the app sees it), as JSON.

    nginx lets through a few things gunicorn's stricter parser refuses (control characters in a
    header value, raw 8-bit bytes in the path, contradictory X-Forwarded-* scheme headers), and a
    proxy can't tell gunicorn's error from the app's: so gunicorn answers JSON too, like the app.
    """
    if status_int >= 500:
        message = "the app replica failed before the app could answer: its log has the details"
    else:
        message = f"{mesg or reason}: gunicorn refused the request before the app saw it; send a well-formed request"
    body = (
        json.dumps({"error": reason.lower().replace(" ", "_"), "message": message}, separators=(",", ":")).encode()
        + b"\n"
    )
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# Read at call time (workers/base.py: util.write_error), and workers fork from this process.
util.write_error = write_json_error
