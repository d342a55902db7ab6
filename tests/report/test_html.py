"""index.html from typed results: one matrix, cost table and set of charts per scenario, self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from racelab import scenarios
from racelab.report import html
from tests.report.factory import cell, every_key, results

TOPOLOGIES = ["threads", "replicas"]


def section(page: str, scenario: str) -> str:
    start = page.index(f'<section class="scenario" id="scenario-{scenario}">')
    end = page.find('<section class="scenario"', start + 1)
    return page[start : end if end > 0 else len(page)]


def test_every_scenario_gets_a_matrix_costs_and_charts(tmp_path: Path) -> None:
    page = html.render(results(every_key(), TOPOLOGIES, tmp_path))
    for name, scenario in scenarios.scenarios().items():
        part = section(page, name)
        matrix = part[part.index(f'<table class="matrix" id="matrix-{name}"') : part.index("</table>")]
        assert len(re.findall(r'<td class="cell ', matrix)) == len(scenario.strategies) * len(TOPOLOGIES)
        assert "What safety costs under replicas" in part
        assert part.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
        for anomaly in scenario.anomalies:
            assert f"<dt>{anomaly}</dt>" in part
    cells = len(every_key()) * len(TOPOLOGIES)
    assert f"All {cells} cells behaved as expected." in page
    assert "cell holds mismatch" not in page and "cell fails mismatch" not in page


def test_a_cell_shows_observed_expected_and_the_scenarios_own_anomalies(tmp_path: Path) -> None:
    cells = [
        cell("inventory/db-thread-lock", "threads"),
        cell("inventory/db-thread-lock", "replicas", anomalies={"oversold": 5, "lost": 2}),
    ]
    page = html.render(results(["inventory/db-thread-lock"], TOPOLOGIES, tmp_path, cells))
    found = re.search(
        r'<td class="cell fails" data-strategy="db-thread-lock" data-topology="replicas"[^>]*>(.*?)</td>', page, re.S
    )
    assert found is not None
    assert " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) == "fails expected fails ✓ 5 oversold, 2 lost"


def test_a_mismatch_is_named_in_the_banner_and_outlined(tmp_path: Path) -> None:
    cells = [cell("counter/db-atomic", "threads"), cell("counter/db-atomic", "replicas", "fails")]
    page = html.render(results(["counter/db-atomic"], TOPOLOGIES, tmp_path, cells))
    assert "1 of 2 cells did not behave as expected:" in page
    assert "counter/db-atomic x replicas: expected holds, observed fails (a safe strategy leaked; 3 duplicates)" in page
    assert 'class="cell fails mismatch" data-strategy="db-atomic" data-topology="replicas"' in page
    assert "expected holds ✗" in page


def test_an_unknown_verdict_is_explained(tmp_path: Path) -> None:
    cells = [cell("counter/db-atomic", "threads", "unknown"), cell("counter/db-atomic", "replicas")]
    page = html.render(results(["counter/db-atomic"], TOPOLOGIES, tmp_path, cells))
    assert "counter/db-atomic x threads: no verdict (expected holds): no call was acknowledged" in page
    assert "Unknown means that the run could not support a verdict either way" in page


def test_costs_name_the_scenarios_own_baseline_and_say_they_are_bursts(tmp_path: Path) -> None:
    keys = ["signup/db-check-then-insert", "signup/db-unique"]
    cells = [
        cell("signup/db-check-then-insert", "replicas", rps=500.0),
        cell("signup/db-unique", "replicas", rps=250.0),
    ]
    part = section(html.render(results(keys, ["replicas"], tmp_path, cells)), "signup")
    costs = part[part.index('<table class="costs"') :]
    row = costs[costs.index(">db-unique<") : costs.index("</tr>", costs.index(">db-unique<"))]
    assert "250.0" in row and "(0.50×)" in row and "db-check-then-insert" in row
    assert "synchronised bursts" in part and "throughput under contention" in part and "make bench" in part


def test_explanations_keep_their_markup_and_everything_else_is_escaped(tmp_path: Path) -> None:
    page = html.render(results(["counter/db-thread-lock"], TOPOLOGIES, tmp_path))
    assert "<strong>Why it fails in production.</strong>" in page
    assert "<code>threading.Lock</code>" in page
    assert str(html.docstring_html("a <b> & ``x < y``\n\nnext *word* 3 * 4 * 5")) == (
        "<p>a &lt;b&gt; &amp; <code>x &lt; y</code></p>\n<p>next <em>word</em> 3 * 4 * 5</p>"
    )


def test_evidence_is_rendered_generically_with_who_served_it(tmp_path: Path) -> None:
    example = {
        "anomaly": "duplicate_rows",
        "username": "<alice>",
        "ids": [4, 9],
        "served_by": [{"replica": "app-2", "pid": 41, "thread": "T-1"}, {"replica": "app-3", "pid": 7}],
    }
    cells = [cell("signup/db-check-then-insert", "replicas", evidence=[example])]
    page = html.render(results(["signup/db-check-then-insert"], ["replicas"], tmp_path, cells))
    assert "What the checker found under <strong>replicas</strong>" in page
    assert '<span class="field">username:</span> &lt;alice&gt;' in page
    assert '<span class="field">ids:</span> 4, 9' in page
    assert '<code class="served">app-2 / pid 41 / T-1</code>, <code class="served">app-3 / pid 7</code>' in page


def test_per_cell_files_are_linked_relative_to_the_folder(tmp_path: Path) -> None:
    files = {"record": "cells/replicas/cells.jsonl.gz", "locust_html": "cells/replicas/counter/db-atomic/locust.html"}
    cells = [cell("counter/db-atomic", "replicas", files=files)]
    page = html.render(results(["counter/db-atomic"], ["replicas"], tmp_path, cells))
    assert '<a href="cells/replicas/cells.jsonl.gz">record</a>' in page
    assert '<a href="cells/replicas/counter/db-atomic/locust.html">locust html</a>' in page


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    page = html.render(results(every_key(), TOPOLOGIES, tmp_path))
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<style>" in page and "Configuration" in page and "24" in page


def test_the_latest_chaos_run_has_its_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from racelab.chaos.results import ChaosResults, FaultResult, StrategyResult, write

    monkeypatch.setenv("RACELAB_ROOT", str(tmp_path))
    page = html.render(results(["counter/db-atomic"], ["replicas"], tmp_path))
    assert 'id="faults"' in page and "No chaos run yet" in page
    pause = FaultResult("pause-lock-holder", "SIGSTOP a lock holder past its TTL", acknowledged=40, recovery_s=0.2)
    pause.strategies.append(
        StrategyResult("counter/redis-lock", "redis", "fails", "fails", "fails (as expected)", True, 20, 1, 0, {}, "")
    )
    skipped = FaultResult("delay-postgres", "150 ms on Postgres's packets", skipped="no sch_prio in this kernel")
    folder = tmp_path / "chaos" / "20261128-120000"
    folder.mkdir(parents=True)
    write(ChaosResults("now", "native", "replicas", {"appendfsync": "everysec"}, [pause, skipped]), folder)
    page = html.render(results(["counter/db-atomic"], ["replicas"], tmp_path))
    assert "No acknowledged operation was lost" in page
    assert "<code>counter/redis-lock</code> (redis): fails (as expected)" in page
    assert "skipped: no sch_prio in this kernel" in page
