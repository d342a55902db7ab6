"""results.json is written from dataclasses and read back into the same dataclasses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from racelab import scenarios
from racelab.report.results import FORMAT, Results, ResultsError
from tests.report.factory import cell, every_key, results


def test_results_survive_a_round_trip_through_json(tmp_path: Path) -> None:
    made = results(every_key(), ["threads", "replicas"], tmp_path)
    made.save(tmp_path / "results.json")
    back = Results.load(tmp_path / "results.json")
    assert back == made
    assert Results.from_json(json.loads(json.dumps(made.to_json()))) == made


def test_results_describe_every_scenario_of_the_plan_with_its_own_baselines(tmp_path: Path) -> None:
    made = results(every_key(), ["replicas"], tmp_path)
    assert [s.name for s in made.scenarios] == list(scenarios.scenarios())
    for info in made.scenarios:
        scenario = scenarios.scenario(info.name)
        assert [s.name for s in info.strategies] == list(scenario.strategies)
        assert info.anomalies == scenario.anomalies and info.question == scenario.question
        for strategy in info.strategies:
            baseline = scenario.baseline(scenario.strategy(strategy.name))
            assert strategy.baseline == (baseline.name if baseline else None)
            assert strategy.expected == scenario.strategy(strategy.name).describe()["expected"]
    assert made.config.topologies[0].shape == "3×2×4"
    assert made.config.users == 24 and made.config.main_topology == "replicas"


def test_a_plan_of_some_strategies_describes_only_those(tmp_path: Path) -> None:
    made = results(["counter/db-atomic", "inventory/db-conditional"], ["replicas"], tmp_path)
    assert [(s.name, [x.name for x in s.strategies]) for s in made.scenarios] == [
        ("counter", ["db-atomic"]),
        ("inventory", ["db-conditional"]),
    ]


def test_cells_keep_their_typed_judgement(tmp_path: Path) -> None:
    made = results(["counter/db-thread-lock"], ["replicas"], tmp_path, [cell("counter/db-thread-lock", "replicas")])
    back = Results.from_json(made.to_json())
    j = back.cells[0].judgement
    assert (j.verdict, j.expected, j.check.anomalies["duplicates"]) == ("fails", "fails", 3)
    assert back.cells[0].costs.rps == 400.0 and back.cells[0].spread.burst_size == 24


def test_an_older_or_foreign_file_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"revision": "abc", "cells": [], "strategies": {}}))
    with pytest.raises(ResultsError, match=r"format 1, not 2: written by another version of racelab"):
        Results.load(path)
    path.write_text(json.dumps({"format": FORMAT, "revision": "abc"}))
    with pytest.raises(ResultsError, match=r"not a racelab results file \(KeyError: missing 'dirty'\)"):
        Results.load(path)
    path.write_text("{")
    with pytest.raises(ResultsError, match="is not JSON"):
        Results.load(path)
    with pytest.raises(ResultsError, match="cannot read"):
        Results.load(tmp_path / "nowhere.json")
