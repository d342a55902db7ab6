"""Part 2, the harness against wrk: can the lab's Locust push as hard as a C load generator?

Both hit the same endpoint with the same number of keep-alive connections, back to back,
alternated in one run (wrk, Locust, wrk, Locust...) so that a drift in the machine's load hits
both alike; the figure is the ratio of Locust's requests/s to wrk's mean.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from racelab.benchmark.figures import locust_rate, mean, parse_wrk, ratio
from racelab.runtime import osdeps

ENDPOINT = "/api/counter/redis-incr/next"
CONNECTIONS = 32
WRK_SCRIPT = 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n'


def ensure_wrk(log: Callable[[str], None]) -> str | None:
    """wrk's path; on Debian as root, installed with apt-get (services kept from starting, as for
    the lab's own OS packages); otherwise None, after saying how to install it."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get)")
        try:
            osdeps.apt_install(["wrk"])
        except osdeps.MissingDependency as exc:
            log(f"could not install wrk: {exc}")
        return shutil.which("wrk")
    command = osdeps.install_command(["wrk"])
    log(f"wrk is not installed; the harness comparison is skipped. Install it with:\n  {command}")
    return None


def _child_cpu_s() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run a load generator; its stdout, and the CPU it used in cores (CPU seconds per second)."""
    cpu, wall = _child_cpu_s(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    cores = (_child_cpu_s() - cpu) / max(1e-9, time.perf_counter() - wall)
    return done.stdout, round(cores, 2)


def run_wrk(wrk: str, url: str, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        # Two threads: one per core; wrk's event loops multiplex the 32 connections.
        argv = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "-s", script.name, url + ENDPOINT]
        stdout, cores = _timed(argv, seconds + 30)
    finally:
        Path(script.name).unlink(missing_ok=True)
    rate, errors = parse_wrk(stdout)
    return {"tool": "wrk", "processes": 1, "rps": rate, "errors": errors, "cpu_cores": cores}


def run_locust(url: str, seconds: float, processes: int) -> dict[str, Any]:
    locustfile = Path(__file__).with_name("locustfile.py")
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "run")
        argv = [
            sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "--only-summary",
            "-u", str(CONNECTIONS), "-r", str(CONNECTIONS), "-t", f"{max(1, round(seconds))}s",
            "--host", url, "--csv", prefix, "--loglevel", "WARNING",
        ]  # fmt: skip
        if processes > 1:
            argv += ["--processes", str(processes)]
        env = {**os.environ, "RACELAB_BENCH_PATH": ENDPOINT}
        _, cores = _timed(argv, seconds + 60, env)
        rate, errors = locust_rate(Path(prefix + "_stats.csv").read_text())
    return {"tool": "locust", "processes": processes, "rps": rate, "errors": errors, "cpu_cores": cores}


def compare(url: str, seconds: float, processes: tuple[int, ...], log: Callable[[str], None]) -> dict[str, Any]:
    """wrk, Locust (1 process), wrk, Locust (2 processes)...: every run, and the ratios."""
    wrk = ensure_wrk(log)
    if wrk is None:
        return {"skipped": "wrk is not installed", "runs": [], "ratios": {}}
    runs: list[dict[str, Any]] = []
    for n in processes:
        for result in (run_wrk(wrk, url, seconds), run_locust(url, seconds, n)):
            runs.append(result)
            log(
                f"  harness: {result['tool']} x{result['processes']}: {result['rps']:.0f} req/s, "
                f"{result['cpu_cores']:.2f} cores ({result['errors']} errors)"
            )
    wrk_mean = mean(r["rps"] for r in runs if r["tool"] == "wrk")
    ratios = {
        str(n): ratio(mean(r["rps"] for r in runs if r["tool"] == "locust" and r["processes"] == n), wrk_mean)
        for n in processes
    }
    return {"endpoint": ENDPOINT, "connections": CONNECTIONS, "seconds": seconds, "runs": runs,
            "wrk_rps": wrk_mean, "ratios": ratios}  # fmt: skip
