"""Postgres, Redis and nginx come from the OS: find them, or install them on Debian/Ubuntu."""

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


def find() -> tuple[Binaries | None, list[str]]:
    pg, redis, nginx = _pg_bin(), _redis(), _nginx()
    if pg is None or redis is None or nginx is None:
        missing = [pkg for found, pkg in ((pg, "postgresql"), (redis, "redis-server"), (nginx, "nginx")) if not found]
        return None, missing
    return Binaries(pg, redis, nginx), []


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
    _apt_install(missing)
    binaries, missing = find()
    if not binaries:
        raise MissingDependency(f"apt-get finished but {', '.join(missing)} is still missing")
    return binaries


def _apt_install(packages: list[str]) -> None:
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
