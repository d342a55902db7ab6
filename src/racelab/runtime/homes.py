"""Who runs each server when we are root, and a folder of its own that this user can reach.

Postgres refuses to run as root, and Redis, memcached and RabbitMQ have no reason to: when we are
root they run as their Debian system users. Their folders live in the run folder when those users can reach it, else
(a checkout in a folder closed to others, e.g. ``mktemp -d``) in ``/var/tmp/racelab-<uid>-<hash>``,
and there for good once made, so that the data does not move between two ``make up``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from racelab.runtime import paths
from racelab.runtime.procs import StartError

# nginx's workers run as this user when the master runs as root and the config names no `user`.
NGINX_WORKER_USER = "nobody"


def is_root() -> bool:
    return os.geteuid() == 0


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def postgres_user() -> str | None:
    """Postgres refuses to run as root: when we are root, run it as an unprivileged user."""
    if not is_root():
        return None
    for name in ("postgres", "racelab"):
        if user_exists(name):
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "racelab"], check=True)
    return "racelab"


def redis_user() -> str | None:
    """Debian's redis-server package makes a `redis` user; without one, Redis runs as we do."""
    return "redis" if is_root() and user_exists("redis") else None


def memcached_user() -> str | None:
    """memcached refuses to run as root without ``-u``: Debian's package makes a `memcache` user."""
    return "memcache" if is_root() and user_exists("memcache") else None


def rabbitmq_user() -> str | None:
    """Debian's rabbitmq-server package makes a `rabbitmq` user; it owns the node's files."""
    return "rabbitmq" if is_root() and user_exists("rabbitmq") else None


def can_reach(path: Path, user: str) -> bool:
    """``user`` may enter ``path``: search permission on it and on every folder above it."""
    return subprocess.run(["test", "-x", str(path)], user=user).returncode == 0


def can_write(path: Path, user: str) -> bool:
    return subprocess.run(["test", "-w", str(path)], user=user).returncode == 0


def where(run: Path, name: str, user: str | None) -> Path:
    """The folder of service ``name``, which ``user`` must reach: ``<run>/<name>`` when it can
    (or when nobody else runs it), else ``<outside>/<name>``, and there for good once made."""
    inside = run / name
    if user is None or not is_root():
        return inside
    outside = paths.outside_dir(run) / name
    if outside.exists() or not can_reach(_existing(run), user):
        return outside
    return inside


def make(run: Path, path: Path, user: str | None, owner: str | None = None, mode: int = 0o700) -> Path:
    """Create the folder ``where`` chose: owned by ``owner`` (default: ``user``), with ``mode``,
    and check that ``user`` can use it."""
    if user is None or not is_root():
        path.mkdir(parents=True, exist_ok=True)
        return path
    if not path.is_relative_to(run):
        paths.private_dir(path.parent, 0o711)  # others may pass through, to their own folder only
    path.mkdir(parents=True, exist_ok=True)
    owner = owner or user
    shutil.chown(path, owner, pwd.getpwnam(owner).pw_gid)
    path.chmod(mode)
    if not (can_write(path, owner) if owner == user else can_reach(path, user)):
        raise StartError(f"the '{user}' user cannot use {path}; check the permissions of the folders above it")
    return path


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def outside_folders(run: Path) -> list[Path]:
    """What this run folder keeps outside of it (deleted by ``make clean``)."""
    outside = paths.outside_dir(run)
    return [outside] if outside.exists() else []
