"""Where the project and its run state live."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

from racelab.runtime.procs import StartError

# A unix socket's path must fit sun_path (108 bytes with its NUL); supervisord first binds
# "<path>.<its pid>" (up to 8 more bytes) and then links it to the path.
MAX_SOCKET_PATH = 107 - 8


def project_root() -> Path:
    """The checkout: ``RACELAB_ROOT``, else the nearest parent of cwd holding ``compose.yaml``."""
    if os.environ.get("RACELAB_ROOT"):
        return Path(os.environ["RACELAB_ROOT"]).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents):
        if (candidate / "compose.yaml").exists() and (candidate / "services").is_dir():
            return candidate
    return Path(__file__).resolve().parents[3]


def run_dir() -> Path:
    """All run state (supervisord's socket, pid and config, logs, data) in one git-ignored folder;
    ``RUN_DIR`` moves it."""
    raw = os.environ.get("RUN_DIR")
    return Path(raw).resolve() if raw else project_root() / ".run"


def run_key(run: Path) -> str:
    """A short name for a run folder, for what has to live outside it: ``<uid>-<hash>``."""
    return f"{os.geteuid()}-{hashlib.sha256(str(run).encode()).hexdigest()[:10]}"


def outside_dir(run: Path) -> Path:
    """The run folder's stand-in for services whose OS user cannot reach the run folder (a parent
    closed to it, e.g. a checkout in a private home): ``/var/tmp/racelab-<uid>-<hash>``. /var/tmp
    rather than /tmp: Postgres keeps its data there, and /tmp may be emptied at boot."""
    return Path("/var/tmp") / f"racelab-{run_key(run)}"  # noqa: S108 - made by private_dir, checked


def socket_path(run: Path) -> Path:
    """supervisord's control socket: in the run folder, or, when that path is too long for a unix
    socket, in a private folder under /tmp named after the run folder."""
    inside = run / "supervisor.sock"
    if len(os.fsencode(inside)) <= MAX_SOCKET_PATH:
        return inside
    return Path("/tmp") / f"racelab-{run_key(run)}" / "supervisor.sock"  # noqa: S108 - in a private_dir


def private_dir(path: Path, mode: int = 0o700) -> Path:
    """Create ``path`` (its parent must exist) or accept it only if it is ours: a real folder, owned
    by us, that nobody else may write. In a world-writable parent (/tmp, /var/tmp) anyone could
    have created the name first, e.g. as a link to somewhere else."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=mode)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise StartError(
            f"{path} exists but is not a private folder of this user (owner uid {info.st_uid}, "
            f"mode {stat.filemode(info.st_mode)}); remove it and try again"
        )
    path.chmod(mode)
    return path
