"""Stacks started by racelab before supervisord: pids in ``<run>/state.json``.

``up`` and ``down`` stop such a stack first (by pid, checking that each pid still runs what was
started), so that an upgrade never leaves processes behind or ports taken.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from racelab.runtime import procs


def _records(run: Path) -> dict[str, dict[str, Any]]:
    try:
        return dict(json.loads((run / "state.json").read_text())["services"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def running(run: Path) -> bool:
    return any(procs.ours(r.get("pid"), r.get("marker", "")) for r in _records(run).values())


def stop(run: Path, out: Callable[[str], None]) -> bool:
    """Stop what an older racelab started here; True if something was stopped."""
    records = _records(run)
    stopped = False
    for name in reversed(list(records)):
        record = records[name]
        sig = signal.SIGINT if name == "postgres" else signal.SIGTERM
        if procs.stop(record["pid"], record.get("marker", ""), sig):
            out(f"  {name:<9} stopped (pid {record['pid']}, started by an older racelab)")
            stopped = True
    (run / "state.json").unlink(missing_ok=True)
    return stopped
