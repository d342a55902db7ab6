"""Ports, pids and process groups: finding and stopping what a runtime started, and nothing else."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
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


def listener(port: int) -> str:
    """Who listens on 127.0.0.1:``port`` (or any address), as "pid N: command", when /proc tells."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return f"pid {entry.name}: {cmdline(int(entry.name)).strip()[:80]}"
        except OSError:
            continue
    return ""


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
    return pid is not None and pid > 0 and alive(pid) and marker in cmdline(pid)


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
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
    return True


def members(pgid: int) -> list[int]:
    """The live processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and alive(int(entry.name)):
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def group_alive(pgid: int) -> bool:
    return bool(members(pgid))


def kill_groups(pgids: Sequence[int], grace: float = 5.0) -> None:
    """What is left of process groups we started, once their leader is gone: processes that were
    forked by it (gunicorn workers, Postgres backends) get ``grace`` seconds, then SIGKILL."""
    deadline = time.monotonic() + grace
    while any(group_alive(g) for g in pgids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pgid in pgids:
        if group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)


def answers(check: Callable[[], bool]) -> bool:
    """``check()``, with any exception counted as "not yet" (a refused connection, a 503...)."""
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - not ready yet, whatever the reason
        return False


def wait_until(check: Callable[[], bool], timeout: float, pid: int | None = None, interval: float = 0.1) -> bool:
    """Poll ``check`` until it is true; give up early if ``pid`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(check):
            return True
        if pid is not None and not alive(pid):
            return False
        time.sleep(interval)
    return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
