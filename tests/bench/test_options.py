"""The run's parameters: targets from the registry, and mistakes reported as sentences."""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

import pytest

from racelab import scenarios
from racelab.bench import options


def test_the_drop_down_offers_all_then_each_scenario_and_only_its_strategies() -> None:
    expected = ["all"]
    for name, scenario in scenarios.scenarios().items():
        expected += [f"{name}/all", *(f"{name}/{s}" for s in scenario.strategies)]
    assert options.target_choices() == expected
    assert options.DEFAULT_TARGET in expected


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("all", "all"),
        ("", "all"),
        ("counter", "counter/all"),
        ("inventory/all", "inventory/all"),
        ("db-thread-lock", "counter/db-thread-lock"),
        ("payment/no-key", "payment/no-key"),
    ],
)
def test_the_command_line_accepts_a_bare_counter_name_and_a_scenario(given: str, normalised: str) -> None:
    assert options.normalise_target(given) == normalised
    assert normalised in options.target_choices()


def test_a_wrong_target_is_named_with_the_valid_ones() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="unknown strategy 'signup/nope'; valid: db-check"):
        options.normalise_target("signup/nope")


def test_race_window_and_burst_size_are_checked() -> None:
    assert options.race_window("2000") == 2000
    for bad in ("2001", "-1", "abc"):
        with pytest.raises(argparse.ArgumentTypeError, match="from 0 to 2000"):
            options.race_window(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="0 for no bursts"):
        options.burst_size("-3")


def test_form_values_that_skipped_argparse_are_reported() -> None:
    problems = options.check(SimpleNamespace(strategy="counter/nope", race_window_ms=5000, burst_size=-1))
    assert [p.split(":")[0] for p in problems] == [
        "nothing to hammer",
        "race window must be a whole number of milliseconds from 0 to 2000, got '5000'",
        "burst size must be a whole number of users, 0 for no bursts; got '-1'",
    ]
    assert options.check(SimpleNamespace(strategy="all", race_window_ms=0, burst_size=20)) == []


class RecordingParser:
    def __init__(self) -> None:
        self.arguments: dict[str, dict[str, Any]] = {}
        self.defaults: dict[str, Any] = {}

    def add_argument(self, name: str, **kwargs: Any) -> None:
        self.arguments[name] = kwargs

    def set_defaults(self, **kwargs: Any) -> None:
        self.defaults.update(kwargs)


def test_the_form_starts_with_as_many_users_as_a_burst_has_callers() -> None:
    parser = RecordingParser()
    options.add_arguments(parser)
    assert set(parser.arguments) == {"--strategy", "--race-window-ms", "--burst-size", "--burst-mode"}
    assert all(a["include_in_web_ui"] for a in parser.arguments.values())
    assert parser.arguments["--strategy"]["default"] == "counter/db-thread-lock"
    size = parser.arguments["--burst-size"]["default"]
    assert parser.defaults == {"num_users": size, "spawn_rate": size}
