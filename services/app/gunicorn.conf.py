"""gunicorn settings for one app replica, read from the same variables in both runtimes."""

import os

wsgi_app = "racelab.app:create_app()"
bind = os.environ.get("BIND", "0.0.0.0:8000")
# gthread: several processes, each with a thread pool; the lab needs both kinds of concurrency.
worker_class = "gthread"
workers = int(os.environ.get("WORKERS", "2"))
threads = int(os.environ.get("THREADS", "4"))
# Never preload: pools opened before fork would be shared, broken sockets in every worker.
preload_app = False
timeout = 30
# make down should not wait long for in-flight requests of a lab run.
graceful_timeout = 5
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections first
# and never sends a request down a connection gunicorn is closing.
keepalive = 75
# gunicorn's control socket (gunicornc) defaults to ~/.gunicorn/gunicorn.ctl: one path for every
# replica of a host, and unwritable in a read-only container. Each replica's own folder has room.
if os.environ.get("REPLICA_DIR"):
    control_socket = os.path.join(os.environ["REPLICA_DIR"], "gunicorn.ctl")
accesslog = None
errorlog = "-"
loglevel = "info"
