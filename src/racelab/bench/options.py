"""The run's parameters: on the command line, and in the web UI's start form ("Custom parameters").

``include_in_web_ui`` puts an option on the start form; ``choices`` makes it a drop-down. Workers
receive the values with each spawn message.
"""

from __future__ import annotations

from typing import Any

from racelab import strategies
from racelab.bench.node import ALL

DEFAULT_STRATEGY = "db-thread-lock"
DEFAULT_BURST_SIZE = 20


def scenarios() -> list[str]:
    return sorted({s.scenario for s in strategies.all_strategies()})


def add_arguments(parser: Any) -> None:
    # Locust's own add_argument (not an argument group's) knows include_in_web_ui.
    parser.add_argument(
        "--scenario", choices=scenarios(), default=scenarios()[0], include_in_web_ui=True,
        env_var="RACELAB_SCENARIO", help="the lab scenario (each strategy belongs to one)",
    )
    parser.add_argument(
        "--strategy", choices=[*strategies.names(), ALL], default=DEFAULT_STRATEGY, include_in_web_ui=True,
        env_var="RACELAB_STRATEGY",
        help=f"the strategy to hammer; '{ALL}' takes every strategy in turn, one per burst",
    )
    parser.add_argument(
        "--race-window-ms", type=int, default=0, include_in_web_ui=True, env_var="RACELAB_RACE_WINDOW_MS",
        help="server-side pause between read and write, in ms (0-2000); races happen at 0 too",
    )
    parser.add_argument(
        "--burst-size", type=int, default=DEFAULT_BURST_SIZE, include_in_web_ui=True, env_var="RACELAB_BURST_SIZE",
        help="users that wait for each other and send at the same instant (0: every user sends back to back)",
    )


def check(options: Any) -> list[str]:
    """What is wrong with the chosen parameters, as sentences a user can act on."""
    problems = []
    scenario = getattr(options, "scenario", None)
    choice = getattr(options, "strategy", ALL)
    if choice != ALL:
        try:
            strategy = strategies.get(choice)
        except strategies.UnknownStrategy as exc:
            return [str(exc)]
        if scenario and strategy.scenario != scenario:
            problems.append(f"strategy {choice!r} belongs to scenario {strategy.scenario!r}, not {scenario!r}")
    window = getattr(options, "race_window_ms", 0)
    if not 0 <= int(window) <= 2000:
        problems.append(f"race window {window} ms is outside 0-2000; the server will refuse every call")
    return problems
