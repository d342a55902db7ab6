"""A counter in a file, guarded by an exclusive ``fcntl.flock`` on that file.

**Mechanism.** The kernel grants the lock to one open file at a time, whichever process or
thread opened it, so every worker of one replica takes turns at the read-modify-write.

**Processes.** Holds: all workers of a replica share its directory, hence the same file and the
same kernel lock.

**Replicas.** Fails. Each replica has its own filesystem (its own container, or its own
directory in the native runtime), so each replica locks and counts its own file and hands out
1, 2, 3... A lock is only as shared as the thing it locks.

**Anomalies:** duplicate values and lost updates as soon as there are two replicas.
"""

import fcntl
import time

from racelab.strategies.base import Ctx, FileStrategy, Outcome
from racelab.topology import Scope


class FileLock(FileStrategy):
    name = "file-lock"
    safe_up_to = Scope.PROCESSES
    summary = "fcntl lock on a file in the replica's own directory"

    def next(self, ctx: Ctx) -> Outcome:
        epoch = ctx.epoch()
        path = self.path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            started = time.perf_counter()
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            waited = (time.perf_counter() - started) * 1000
            handle.seek(0)
            value = self.parse(handle.read(), epoch) + 1
            ctx.pause()
            handle.seek(0)
            handle.truncate()
            handle.write(f"{epoch} {value}")
            handle.flush()
        return Outcome(value, wait_ms=waited)

    def reset(self, ctx: Ctx) -> None:
        """Nothing to do here: other replicas' files are out of reach; the epoch resets them all."""


STRATEGY = FileLock()
