"""supervisord event listener: when a program exits by itself, what it forked goes with it.

In a container, the processes of a service die with its main process. Under supervisord they
would not: ``kill -9`` of a gunicorn master leaves its workers serving on the replica's port for
seconds (until they notice their parent is gone and finish their requests), and the new master
cannot bind meanwhile; Postgres backends of a killed postmaster keep its shared memory. So on
every PROCESS_STATE_EXITED this listener SIGKILLs what is left of that program's process group
(supervisord makes each program the leader of its own group), and the program's restart binds at
once. Programs that supervisord stops are not concerned (their event is STOPPED, and ``down``
sweeps their groups itself).

Run by supervisord as ``python -m racelab.runtime.reaper``: it speaks supervisord's event listener
protocol on stdin/stdout, and logs to stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys


def reap(payload: str) -> str | None:
    """Kill the process group of the program that exited; what was done, for the log."""
    fields = dict(token.split(":", 1) for token in payload.split() if ":" in token)
    pid = int(fields.get("pid", "0") or 0)
    if pid <= 1:
        return None
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
        return f"{fields.get('processname')} (pid {pid}) exited: killed what was left of its process group"
    return None


def main() -> None:
    from supervisor import childutils

    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        if headers.get("eventname") == "PROCESS_STATE_EXITED":
            done = reap(payload)
            if done:
                print(done, file=sys.stderr, flush=True)
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
