"""Where the project and its run state live."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout: ``RACELAB_ROOT``, else the nearest parent of cwd holding ``compose.yaml``."""
    if os.environ.get("RACELAB_ROOT"):
        return Path(os.environ["RACELAB_ROOT"]).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents):
        if (candidate / "compose.yaml").exists() and (candidate / "services").is_dir():
            return candidate
    return Path(__file__).resolve().parents[3]


def run_dir() -> Path:
    """All run state (data, logs, pids) in one git-ignored folder; ``RUN_DIR`` moves it."""
    raw = os.environ.get("RUN_DIR")
    return Path(raw).resolve() if raw else project_root() / ".run"
