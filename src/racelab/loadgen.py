"""Synchronised bursts from Python threads: the lab's own small load generator.

All callers open their keep-alive connection first, wait at a ``threading.Barrier``, then send
at once, round after round. Tests and ``racelab burst`` use it; Locust is for the interactive lab.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from racelab.checkers.counter import CounterResult, Op, check_counter


class LabError(RuntimeError):
    """The lab answered something unusable; the message says what."""


@dataclass
class Endpoint:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def call(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    conn.request(method, path, body=b"" if method == "POST" else None, headers=headers or {})
    response = conn.getresponse()
    raw = response.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {"error": "not_json", "message": raw[:200].decode(errors="replace")}
    return response.status, body


def request_json(base_url: str, method: str, path: str, token: str | None = None, timeout: float = 10) -> dict:
    conn = Endpoint.parse(base_url).connect(timeout)
    try:
        status, body = call(conn, method, path, {"X-Lab-Token": token} if token else None)
    finally:
        conn.close()
    if status != 200:
        raise LabError(f"{method} {path} -> {status}: {body.get('message', body)}")
    return body


def reset(base_url: str, token: str) -> None:
    request_json(base_url, "POST", "/api/lab/reset", token=token)


def read_value(base_url: str, strategy: str) -> int:
    return int(request_json(base_url, "GET", f"/api/counter/{strategy}")["value"])


def classify(status: int, body: dict) -> Op:
    if status == 200 and isinstance(body.get("value"), int):
        return Op("ok", body["value"], body.get("served_by"))
    # 4xx: the server refused or rolled back; nothing was applied. 5xx: it may have been.
    return Op("fail" if 400 <= status < 500 else "info", error=f"{status} {body.get('error', '')}".strip())


def burst(
    base_url: str,
    strategy: str,
    callers: int = 50,
    rounds: int = 1,
    race_window_ms: int | None = None,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Op], float]:
    """``callers`` threads send ``rounds`` synchronised POSTs each. Returns ops and max send spread (ms)."""
    endpoint = Endpoint.parse(base_url)
    path = f"/api/counter/{strategy}/next"
    if race_window_ms is not None:
        path += f"?race_window_ms={race_window_ms}"
    barrier = threading.Barrier(callers)
    ops: list[list[Op]] = [[] for _ in range(callers)]
    sends: list[list[float]] = [[0.0] * callers for _ in range(rounds)]

    def caller(i: int) -> None:
        conn = endpoint.connect(timeout)
        try:
            call(conn, "GET", "/healthz")  # open the keep-alive connection before the first burst
        except OSError:
            conn.close()
            conn = endpoint.connect(timeout)
        for r in range(rounds):
            barrier.wait(timeout=timeout)
            sends[r][i] = time.perf_counter()
            try:
                ops[i].append(classify(*call(conn, "POST", path)))
            except (OSError, http.client.HTTPException) as exc:
                ops[i].append(Op("info", error=f"{type(exc).__name__}: {exc}"))
                conn.close()
                conn = endpoint.connect(timeout)
            if progress and i == 0:
                progress(r + 1, rounds)
        conn.close()

    threads = [threading.Thread(target=caller, args=(i,), name=f"caller-{i}") for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spread_ms = max((max(s) - min(s)) * 1000 for s in sends)
    return [op for per_caller in ops for op in per_caller], spread_ms


def run_check(
    base_url: str, token: str, strategy: str, callers: int = 50, rounds: int = 1, race_window_ms: int | None = None
) -> tuple[CounterResult, float]:
    """Reset, burst, read the final value, check. The whole experiment in one call."""
    reset(base_url, token)
    initial = read_value(base_url, strategy)
    ops, spread = burst(base_url, strategy, callers, rounds, race_window_ms)
    final = read_value(base_url, strategy)
    return check_counter(ops, initial, final), spread
