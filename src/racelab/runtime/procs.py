"""Starting, finding and stopping the processes a runtime started, by pid, and nothing else."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


class StartError(RuntimeError):
    """A service did not come up; the message says which and where its log is."""


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if something listens on the port (a bind with SO_REUSEADDR fails only then)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def ours(pid: int | None, marker: str) -> bool:
    """The pid is alive and still runs the program we started (pids get reused)."""
    return bool(pid) and alive(pid) and marker in cmdline(pid)  # type: ignore[arg-type]


def spawn(
    argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start a long-running process in its own session, output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True, user=user,
        )
    return proc.pid


def stop(pid: int, marker: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> bool:
    """Signal our process, wait for it and its process group to go; SIGKILL what lingers."""
    if not ours(pid, marker):
        return False
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return False
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
    # Workers forked by that process share its session's process group (we created it):
    # give them a moment to follow their master, then make sure.
    if pgid == pid:
        deadline = time.monotonic() + 5
        while group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if group_alive(pgid):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return True


def group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and alive(int(entry.name)):
                    return True
            except (ProcessLookupError, PermissionError):
                continue
    return False


def wait_until(check: Callable[[], bool], timeout: float, pid: int | None = None, interval: float = 0.1) -> bool:
    """Poll ``check`` until it is true; give up early if ``pid`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - not ready yet, whatever the reason
            pass
        if pid is not None and not alive(pid):
            return False
        time.sleep(interval)
    return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
