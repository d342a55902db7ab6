"""The Locust side of ``racelab bench``'s harness comparison: the same user class as the lab's
harness (FastHttpUser, no wait), sending the one request wrk sends, back to back.

Run by :mod:`racelab.benchmark.harness` as ``locust -f <this file> --headless``; the path comes
from the environment (``RACELAB_BENCH_PATH``) so that both tools hit the very same URL.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("RACELAB_BENCH_PATH", "/api/counter/redis-incr/next")


class BackToBack(FastHttpUser):
    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post(PATH, data="{}", headers={"Content-Type": "application/json"})
