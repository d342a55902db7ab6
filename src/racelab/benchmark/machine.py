"""The machine a bench ran on, recorded beside every figure: only ratios compare across machines."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from racelab.runtime import osdeps


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout + done.stderr).strip()
    found = re.search(r"\d+\.\d+(\.\d+)?", text)
    return found.group(0) if found else (text.splitlines()[0] if text else "?")


def describe() -> dict[str, Any]:
    """Cores, CPU model, load average and the versions of what serves the requests."""
    binaries, _ = osdeps.find()
    versions = {"python": platform.python_version()}
    if binaries is not None:
        versions["postgres"] = _version([str(binaries.pg_bin / "postgres"), "--version"])
        versions["redis"] = _version([binaries.redis_server, "--version"])
        versions["nginx"] = _version([binaries.nginx, "-v"])
    versions["wrk"] = _version(["wrk", "--version"])
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "load_average": list(os.getloadavg()),
        "platform": platform.platform(),
        "versions": versions,
    }


def one_line(machine: dict[str, Any]) -> str:
    v = machine.get("versions", {})
    load = ", ".join(f"{x:.2f}" for x in machine.get("load_average", []))
    policy = (
        f"; the app's processes under {machine['app_scheduling']} scheduling" if machine.get("app_scheduling") else ""
    )
    return (
        f"{machine.get('cores')} cores ({machine.get('cpu')}), load {load} at start; "
        + ", ".join(f"{k} {val}" for k, val in v.items())
        + policy
    )
