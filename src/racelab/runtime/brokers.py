"""memcached, RabbitMQ (with its Erlang port mapper) and the queue worker, as native services.

All on 127.0.0.1, all as their Debian system users when we are root, all under supervisord. The
RabbitMQ node keeps everything (its Erlang cookie, its database, its config) in its own folder of
the run folder, so it never meets a system node; its port mapper (epmd) is a supervised program
of its own, started first, instead of the daemon Erlang would otherwise leave running after
``make down``.
"""

from __future__ import annotations

import shutil
import socket
import urllib.parse
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from racelab.runtime import homes
from racelab.runtime.supervisor import Program

if TYPE_CHECKING:
    from racelab.runtime.osdeps import Binaries
    from racelab.runtime.services import Service, ServicePrograms

NODE = "racelab@localhost"
# Bind Erlang's distribution port to loopback too (it listens on every interface by default), and
# never spawn an epmd of its own: the supervised one is already there.
ERL_ARGS = "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"
# The server only: idle Erlang schedulers busy-wait by default, which takes CPU from the app on a
# small machine while a burst runs; the lab's queue carries a few thousand messages at most.
SERVER_ERL_ARGS = f"+sbwt none +sbwtdcpu none +sbwtdio none {ERL_ARGS}"


def memcached_ready(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"version\r\n")
        return conn.recv(64).startswith(b"VERSION ")


def accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return True


def amqp_url(sp: ServicePrograms) -> str:
    user = urllib.parse.quote(sp.rabbitmq_user, safe="")
    password = urllib.parse.quote(sp.env.get("RABBITMQ_PASSWORD", ""), safe="")
    return f"amqp://{user}:{password}@127.0.0.1:{sp.stack.rabbitmq_port}/%2F"


def amqp_ready(url: str) -> bool:
    import pika

    from racelab.messaging.rpc import connection_parameters

    pika.BlockingConnection(connection_parameters(url)).close()
    return True


def queue_worker_ready(url: str) -> bool:
    from racelab.messaging.rpc import QueueClient

    return QueueClient(url).consumers() >= 1


class Brokers:
    """The services' definitions, built from one :class:`ServicePrograms` (its settings and homes)."""

    def __init__(self, sp: ServicePrograms, binaries: Binaries) -> None:
        self.sp = sp
        self.binaries = binaries

    def services(self) -> tuple[list[Service], list[Service]]:
        """(what starts before the app replicas, what starts after them)."""
        from racelab.runtime.services import Service  # services.py imports this module

        s = self.sp.stack
        before = [
            Service(
                "memcached",
                s.memcached_port,
                "MEMCACHED_PORT",
                self.memcached_program(),
                partial(memcached_ready, s.memcached_port),
                prepare=partial(self.sp.make_home, "memcached", homes.memcached_user()),
            ),
            Service(
                "epmd",
                s.rabbitmq_epmd_port,
                "RABBITMQ_EPMD_PORT",
                self.epmd_program(),
                partial(accepts, s.rabbitmq_epmd_port),
                prepare=partial(self.sp.make_home, "rabbitmq", homes.rabbitmq_user()),
            ),
            Service(
                "rabbitmq",
                s.rabbitmq_port,
                "RABBITMQ_PORT",
                self.rabbitmq_program(),
                partial(amqp_ready, amqp_url(self.sp)),
                prepare=self.prepare_rabbitmq,
                other_ports=((s.rabbitmq_dist_port, "RABBITMQ_DIST_PORT"),),
            ),
        ]
        after = [
            Service(
                "queue-worker",
                s.rabbitmq_port,  # it listens on nothing: its health is a consumer on the queue
                "RABBITMQ_PORT",
                self.queue_worker_program(),
                partial(queue_worker_ready, amqp_url(self.sp)),
                listens=False,
            ),
        ]
        return before, after

    def memcached_program(self) -> Program:
        port = str(self.sp.stack.memcached_port)
        return Program(
            "memcached",
            # -U 0: no UDP listener; -m 64: 64 MB, far more than the lab's few keys need.
            [self.binaries.memcached, "-l", "127.0.0.1", "-p", port, "-U", "0", "-m", "64"],
            # A folder its user can enter (the run folder may be closed to it): it writes nothing.
            directory=self.sp.home("memcached", homes.memcached_user()),
            user=homes.memcached_user(),
            priority=22,
        )

    def rabbitmq_home(self) -> Path:
        return self.sp.home("rabbitmq", homes.rabbitmq_user())

    def erlang_env(self) -> dict[str, str]:
        home = self.rabbitmq_home()
        return {
            "HOME": str(home),  # the Erlang cookie lives there: never a system node's
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": str(self.sp.stack.rabbitmq_epmd_port),
        }

    def epmd_program(self) -> Program:
        port = str(self.sp.stack.rabbitmq_epmd_port)
        return Program(
            "epmd",
            [self.binaries.epmd, "-address", "127.0.0.1", "-port", port],
            directory=self.rabbitmq_home(),
            environment=self.erlang_env(),
            user=homes.rabbitmq_user(),
            priority=24,
        )

    def rabbitmq_program(self) -> Program:
        home = self.rabbitmq_home()
        env = {
            **self.erlang_env(),
            "RABBITMQ_NODENAME": NODE,
            "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
            "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(home / "log"),
            "RABBITMQ_LOGS": "-",  # to stdout: supervisord's rotated log, like every other service
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
            "RABBITMQ_DIST_PORT": str(self.sp.stack.rabbitmq_dist_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": SERVER_ERL_ARGS,
            "RABBITMQ_CTL_ERL_ARGS": ERL_ARGS,
        }
        return Program(
            "rabbitmq",
            [self.binaries.rabbitmq_server],
            directory=home,
            environment=env,
            user=homes.rabbitmq_user(),
            priority=26,
            stopwaitsecs=30,
            stopasgroup=True,  # the Erlang VM and its port helpers
        )

    def rabbitmq_config(self) -> str:
        return (
            f"listeners.tcp.default = 127.0.0.1:{self.sp.stack.rabbitmq_port}\n"
            # The lab's own user, from .env (the built-in guest user is refused over the network).
            f"default_user = {self.sp.rabbitmq_user}\n"
            f"default_pass = {self.sp.env.get('RABBITMQ_PASSWORD', '')}\n"
            "loopback_users = none\n"
        )

    def prepare_rabbitmq(self) -> None:
        user = homes.rabbitmq_user()
        self.sp.make_home("rabbitmq", user)
        home = self.rabbitmq_home()
        for name, text in (("rabbitmq.conf", self.rabbitmq_config()), ("enabled_plugins", "[].\n")):
            path = home / name
            path.write_text(text)
            path.chmod(0o600)  # the password is in it
            if user:
                shutil.chown(path, user)

    def queue_worker_program(self) -> Program:
        env = {
            "DATABASE_URL": self.sp.database_url(),
            "REDIS_URL": self.sp.redis_url,
            "AMQP_URL": amqp_url(self.sp),
            "MEMCACHED_URL": f"127.0.0.1:{self.sp.stack.memcached_port}",
            "REPLICA_ID": "queue-worker",
            "REPLICA_DIR": str(self.sp.run / "queue-worker"),
            "PYTHONUNBUFFERED": "1",
        }
        return Program(
            "queue-worker",
            [str(self.sp.venv_bin / "python"), "-m", "racelab.messaging.worker"],
            directory=self.sp.root,
            environment=env,
            priority=35,
        )
