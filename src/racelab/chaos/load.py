"""Steady load through nginx while the nemesis works: every chosen strategy, over and over.

``CLIENTS`` threads each keep one keep-alive connection and send their calls back to back, taking
the strategies in turn (each thread starting at another one), with each scenario's own workload
drawing the calls. Every answer goes into that strategy's history, in the format every checker
reads; a call without an answer (a timeout, a cut connection) is indeterminate, and the thread
opens a new connection.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import defaultdict
from dataclasses import replace

from racelab import scenarios
from racelab.core.history import Op, classify, unanswered
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, operation_path, send

CLIENTS = 16
# Longer than any fault keeps a call waiting (a paused holder: its locks' TTL and a margin), far
# below nginx's 60 s: a call still unanswered then is recorded as indeterminate.
CALL_TIMEOUT_S = 20.0


class Load:
    """Runs until :meth:`stop`; ``histories`` holds every call, by strategy key."""

    def __init__(
        self, client: LabClient, strategies: list[Strategy], clients: int = CLIENTS, timeout: float = CALL_TIMEOUT_S
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.strategies = strategies
        self.clients = clients
        self.histories: dict[str, list[Op]] = defaultdict(list)
        self.race_window_ms: dict[str, int] = {}  # per strategy key, while a fault wants one
        self.held: set[str] = set()  # strategy keys not called for now (a fault wants them quiet)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.clients):
            thread = threading.Thread(target=self._client, args=(i,), name=f"chaos-client-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def _client(self, position: int) -> None:
        conn: http.client.HTTPConnection | None = None
        seq: dict[str, int] = defaultdict(int)
        turn = position
        while not self._stop.is_set():
            strategy = self.strategies[turn % len(self.strategies)]
            turn += 1
            if strategy.key in self.held:
                time.sleep(0.001)
                continue
            call = scenarios.scenario(strategy.scenario).workload.call(None, position, seq[strategy.key])
            seq[strategy.key] += 1
            path = operation_path(strategy, call, self.race_window_ms.get(strategy.key))
            if conn is None:
                conn = self.client.endpoint.connect(self.timeout)
            sent = time.time()
            try:
                status, body, headers = send(conn, "POST", path, call.args, call.headers)
                op = classify(call, status, body, headers, sent, time.time())
                if headers.get("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                # When it gave up waiting: the longest wait counts it.
                op = replace(unanswered(call, sent, None, f"no answer: {type(exc).__name__}"), answered=time.time())
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)  # nginx itself is restarting or gone: do not spin
            with self._lock:
                self.histories[strategy.key].append(op)
        if conn is not None:
            conn.close()
