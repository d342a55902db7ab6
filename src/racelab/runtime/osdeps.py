"""Postgres, Redis, nginx, memcached and RabbitMQ come from the OS: find them, or install them on
Debian/Ubuntu."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

POLICY_RC = Path("/usr/sbin/policy-rc.d")


class MissingDependency(RuntimeError):
    """Something the native runtime needs is not installed and cannot be installed here."""


@dataclass(frozen=True)
class Binaries:
    pg_bin: Path  # directory with postgres, initdb
    redis_server: str
    nginx: str
    memcached: str
    rabbitmq_server: str  # the server script itself, not Debian's wrapper in /usr/sbin that calls su
    epmd: str  # Erlang's port mapper, which RabbitMQ's node registers with


def _pg_bin() -> Path | None:
    # Debian keeps the server binaries off PATH, one directory per major version.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("postgres")
    return Path(found).resolve().parent if found else None


def _nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def _redis() -> str | None:
    return shutil.which("redis-server") or next((p for p in ("/usr/bin/redis-server",) if os.path.exists(p)), None)


def _first(*candidates: str) -> str | None:
    for candidate in candidates:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and os.path.exists(found):
            return found
    return None


def _rabbitmq() -> str | None:
    scripts = sorted(glob.glob("/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server"))
    return _first("/usr/lib/rabbitmq/bin/rabbitmq-server", *scripts[-1:])


def find() -> tuple[Binaries | None, list[str]]:
    pg, redis, nginx = _pg_bin(), _redis(), _nginx()
    memcached, rabbitmq = _first("memcached", "/usr/bin/memcached"), _rabbitmq()
    # epmd comes with Erlang, which the rabbitmq-server package pulls in.
    epmd = _first("epmd", "/usr/bin/epmd", *sorted(glob.glob("/usr/lib/erlang/erts-*/bin/epmd"))[-1:])
    packages = (
        (pg, "postgresql"),
        (redis, "redis-server"),
        (nginx, "nginx"),
        (memcached, "memcached"),
        (rabbitmq and epmd, "rabbitmq-server"),
    )
    missing = [pkg for found, pkg in packages if not found]
    if pg is None or redis is None or nginx is None or memcached is None or rabbitmq is None or epmd is None:
        return None, missing
    return Binaries(pg, redis, nginx, memcached, rabbitmq, epmd), []


def install_command(packages: list[str]) -> str:
    return f"sudo apt-get update && sudo apt-get install -y --no-install-recommends {' '.join(packages)}"


def ensure(log: Callable[[str], None] = print) -> Binaries:
    binaries, missing = find()
    if binaries:
        return binaries
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise MissingDependency(
            f"the native runtime needs {', '.join(missing)} from the OS. Install them with:\n  "
            + install_command(missing)
            + "\n(or run as root on Debian/Ubuntu and make will install them)"
        )
    log(f"installing OS packages: {' '.join(missing)} (apt-get)")
    apt_install(missing)
    binaries, missing = find()
    if not binaries:
        raise MissingDependency(f"apt-get finished but {', '.join(missing)} is still missing")
    return binaries


def apt_install(packages: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Keep the packages' own services from starting: the lab runs its own instances, on its own
    # ports, and must not leave system daemons behind.
    created_policy = not POLICY_RC.exists()
    if created_policy:
        POLICY_RC.write_text("#!/bin/sh\nexit 101\n")
        POLICY_RC.chmod(0o755)
    try:
        for argv in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        ):
            result = subprocess.run(argv, env=env, stdout=sys.stderr, stderr=sys.stderr)
            if result.returncode != 0:
                raise MissingDependency(f"{' '.join(argv)} failed (exit {result.returncode})")
    finally:
        if created_policy:
            POLICY_RC.unlink(missing_ok=True)
