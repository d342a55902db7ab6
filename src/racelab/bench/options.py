"""The run's parameters: on the command line, and in the web UI's start form ("Custom parameters").

``include_in_web_ui`` puts an option on the start form; ``choices`` makes it a drop-down. Workers
receive the values with each spawn message. The targets come from the scenarios' registry:
``all``, then per scenario ``<scenario>/all`` and each ``<scenario>/<strategy>``, so picking in
the drop-down picks a scenario and one of its own strategies.
"""

from __future__ import annotations

import argparse
from typing import Any

from racelab import scenarios
from racelab.core.scenario import UnknownName
from racelab.core.strategy import Strategy
from racelab.settings import MAX_RACE_WINDOW_MS

ALL = "all"
DEFAULT_TARGET = "counter/db-thread-lock"
# A burst needs as many users as callers: the start form's user count is this too (see
# defaults()), so that pressing Start on the defaults runs real bursts.
DEFAULT_BURST_SIZE = 20


def target_choices() -> list[str]:
    """``all``, then each scenario's ``<scenario>/all`` followed by its strategies."""
    choices = [ALL]
    for name, scenario in scenarios.scenarios().items():
        choices += [f"{name}/{ALL}", *(s.key for s in scenario.strategies.values())]
    return choices


def normalise_target(raw: str) -> str:
    """What the command line (or RACELAB_STRATEGY) may say, as one of the drop-down's choices:
    a bare counter strategy or a scenario name is accepted too. argparse applies this before it
    checks the choices, so a wrong name gets this message rather than a list of 40 choices."""
    raw = raw.strip()
    try:
        found = scenarios.resolve(raw)
    except UnknownName as exc:
        raise argparse.ArgumentTypeError(f"{exc}") from None
    if raw in ("", ALL):
        return ALL
    if len(found) == 1 and not raw.endswith(f"/{ALL}") and raw not in scenarios.scenarios():
        return found[0].key
    return f"{found[0].scenario}/{ALL}"


def resolve_targets(choice: str | None) -> list[Strategy]:
    """The strategies a run hammers, one per burst in turn (registry order)."""
    return scenarios.resolve(normalise_target(choice or DEFAULT_TARGET))


def race_window(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_RACE_WINDOW_MS:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of milliseconds from 0 to {MAX_RACE_WINDOW_MS}, got {raw!r}"
        )
    return value


def burst_size(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of users, 0 for no bursts; got {raw!r}")
    return value


# How the users of a burst send: ``gate`` (each user sends its own request through Locust's
# client the instant the gate opens), or one of the engine's modes, in which the gate's users hand
# their calls to one sender that holds every request by its end and releases the ends together
# (racelab.engine.modes; single-packet talks to nginx's HTTP/2 port: the host's port + 1 unless
# RACELAB_H2_URL says otherwise).
BURST_MODES = ["gate", "last-byte", "single-packet"]
DEFAULT_BURST_MODE = "gate"


def add_arguments(parser: Any) -> None:
    # Locust's own add_argument (not an argument group's) knows include_in_web_ui.
    parser.add_argument(
        "--strategy",
        type=normalise_target,
        choices=target_choices(),
        default=DEFAULT_TARGET,
        include_in_web_ui=True,
        env_var="RACELAB_STRATEGY",
        help=f"what to hammer: <scenario>/<strategy>, <scenario>/{ALL} (its strategies in turn, one per "
        f"burst) or {ALL} (every strategy of every scenario); a bare name means a counter strategy",
    )
    parser.add_argument(
        "--race-window-ms",
        type=race_window,
        default=0,
        include_in_web_ui=True,
        env_var="RACELAB_RACE_WINDOW_MS",
        help=f"server-side pause between read and write, in ms (0-{MAX_RACE_WINDOW_MS}); races happen at 0 too",
    )
    parser.add_argument(
        "--burst-size",
        type=burst_size,
        default=DEFAULT_BURST_SIZE,
        include_in_web_ui=True,
        env_var="RACELAB_BURST_SIZE",
        help="users that wait for each other and send at the same instant: run at least this many users "
        "(0: every user sends back to back)",
    )
    parser.add_argument(
        "--burst-mode",
        choices=BURST_MODES,
        default=DEFAULT_BURST_MODE,
        include_in_web_ui=True,
        env_var="RACELAB_BURST_MODE",
        help="how a burst's users send: gate (each its own request, released together), last-byte "
        "(every request held by its last byte, one loop writes them all) or single-packet (HTTP/2: "
        "every request's end in one packet)",
    )
    # Locust's own defaults are 1 user (the start form's too): a burst of 20 would then fire with
    # one caller, and an unsafe strategy would look safe. One user per caller of a burst.
    parser.set_defaults(num_users=DEFAULT_BURST_SIZE, spawn_rate=DEFAULT_BURST_SIZE)


def check(options: Any) -> list[str]:
    """What is wrong with the run's parameters (the start form skips argparse's checks), as
    sentences a user can act on."""
    problems = []
    choice = getattr(options, "strategy", DEFAULT_TARGET)
    try:
        normalise_target(str(choice))
    except argparse.ArgumentTypeError as exc:
        problems.append(f"nothing to hammer: {exc}")
    window = getattr(options, "race_window_ms", 0)
    try:
        race_window(str(window))
    except argparse.ArgumentTypeError as exc:
        problems.append(f"race window {exc}: the server refuses every call (400); start again with a valid one")
    size = getattr(options, "burst_size", DEFAULT_BURST_SIZE)
    try:
        burst_size(str(size))
    except argparse.ArgumentTypeError as exc:
        problems.append(f"burst size {exc}")
    return problems
