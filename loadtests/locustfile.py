"""Locust drives the counter scenario against one strategy and prints the verdict at test stop.

Pick the strategy in the web UI's start form ("Custom parameters"), or ``--strategy`` on the
command line. Every acknowledged value is recorded; at stop the final value is read and the
same pure checker as the test suite computes the verdict.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, events, task

from racelab import strategies
from racelab.checkers.counter import Op, check_counter
from racelab.loadgen import LabError, classify, read_value, reset

HISTORY: list[Op] = []
RUN: dict[str, int | None] = {"initial": None}


@events.init_command_line_parser.add_listener
def _(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument(
        "--strategy", choices=strategies.names(), default="db-thread-lock", include_in_web_ui=True,
        help="the counter strategy to hammer",
    )
    parser.add_argument(
        "--race-window-ms", type=int, default=0, include_in_web_ui=True,
        help="server-side sleep between read and write, in ms (0-2000)",
    )


@events.test_start.add_listener
def on_start(environment, **_kw) -> None:  # type: ignore[no-untyped-def]
    HISTORY.clear()
    opts = environment.parsed_options
    token = os.environ.get("LAB_TOKEN", "")
    try:
        if token:
            reset(environment.host, token)
        RUN["initial"] = read_value(environment.host, opts.strategy)
    except (LabError, OSError) as exc:
        RUN["initial"] = None
        print(f"racelab: could not reset/read {opts.strategy}: {exc}")


@events.test_stop.add_listener
def on_stop(environment, **_kw) -> None:  # type: ignore[no-untyped-def]
    opts = environment.parsed_options
    try:
        final: int | None = read_value(environment.host, opts.strategy)
    except (LabError, OSError):
        final = None
    result = check_counter(HISTORY, RUN["initial"], final)
    print(
        f"racelab verdict for {opts.strategy}: {result.verdict.upper()} - {result.reason} "
        f"(acknowledged={result.acknowledged} duplicates={result.duplicates} lost={result.lost})"
    )


class CounterUser(FastHttpUser):
    """Asks for the next number as fast as it can."""

    wait_time = constant(0)

    @task
    def next_value(self) -> None:
        opts = self.environment.parsed_options
        path = f"/api/counter/{opts.strategy}/next?race_window_ms={opts.race_window_ms}"
        with self.client.post(path, name=f"/api/counter/{opts.strategy}/next", catch_response=True) as response:
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 - a non-JSON answer is a failed call
                body = {}
            HISTORY.append(classify(response.status_code or 599, body if isinstance(body, dict) else {}))
            if response.status_code != 200:
                response.failure(f"{response.status_code} {body.get('error', '') if isinstance(body, dict) else ''}")
