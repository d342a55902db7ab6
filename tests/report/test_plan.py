"""The plan: topologies (QUICK: the configured one), strategies by selector, and what the environment says."""

from __future__ import annotations

from pathlib import Path

import pytest

from racelab import scenarios
from racelab.report.lab import ReportError
from racelab.report.plan import Plan, make_plan, order_topologies
from racelab.topology import TOPOLOGIES

COUNTER = [s.key for s in scenarios.scenario("counter").strategies.values()]


def plan(tmp_path: Path, topologies: list[str]) -> Plan:
    return Plan(topologies=topologies, strategies=COUNTER, out_root=tmp_path)


def test_the_configured_topology_runs_last_so_the_stack_ends_as_it_began(tmp_path: Path) -> None:
    p = plan(tmp_path, ["single", "threads", "processes", "replicas"])
    assert order_topologies(p, "threads") == ["single", "processes", "replicas", "threads"]
    assert order_topologies(p, "custom") == ["single", "threads", "processes", "replicas"]


def test_quick_runs_the_default_topology_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from racelab.runtime import envfile

    env: dict[str, str] = {}
    monkeypatch.setattr(envfile, "load", lambda _root: env)
    assert make_plan(quick=True).topologies == ["replicas"]
    assert make_plan().topologies == list(TOPOLOGIES)  # every one, in TOPOLOGIES' order
    env["TOPOLOGY"] = "threads"
    assert make_plan(quick=True).topologies == ["threads"]
    env["QUICK"] = "1"
    assert make_plan().topologies == ["threads"]


def test_the_plan_reads_keep_and_locust_html_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from racelab.runtime import envfile

    env = {"KEEP": "2", "LOCUST_HTML": "1", "RACE_WINDOW_MS": "5"}
    monkeypatch.setattr(envfile, "load", lambda _root: env)
    p = make_plan()
    assert (p.keep, p.locust_html, p.race_window_ms) == (2, True, 5)
    assert (make_plan(keep=0).keep, make_plan(locust_html=False).locust_html) == (0, False)
    del env["RACE_WINDOW_MS"]
    assert make_plan().race_window_ms is None  # the running stack's own
    env["KEEP"] = "many"
    with pytest.raises(ReportError, match="KEEP='many': use a whole number"):
        make_plan()


def test_strategies_are_chosen_by_selector_in_the_registrys_order() -> None:
    every = [s.key for s in scenarios.all_strategies()]
    assert make_plan().strategies == every
    assert make_plan(selectors=["inventory/db-conditional", "counter"]).strategies == [
        *COUNTER,
        "inventory/db-conditional",
    ]
    assert make_plan(selectors=["db-atomic"]).strategies == ["counter/db-atomic"]
    with pytest.raises(ReportError, match="--strategy: unknown scenario 'nope'"):
        make_plan(selectors=["nope/x"])
    with pytest.raises(ReportError, match="unknown topology 'clusters'; choose from: single, threads, processes"):
        make_plan(topologies=["clusters"])
    assert make_plan(topologies=["replicas", "single"]).topologies == ["single", "replicas"]
