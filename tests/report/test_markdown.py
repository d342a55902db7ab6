"""summary.md: the same matrices and cost tables, in Markdown."""

from __future__ import annotations

from pathlib import Path

from racelab import scenarios
from racelab.report import markdown
from tests.report.factory import cell, every_key, results


def test_summary_has_one_matrix_and_cost_table_per_scenario(tmp_path: Path) -> None:
    text = markdown.render(results(every_key(), ["threads", "replicas"], tmp_path))
    assert text.startswith("# racelab report")
    assert f"**All {len(every_key()) * 2} cells behaved as expected.**" in text
    for name, scenario in scenarios.scenarios().items():
        assert f"| {name} | threads | replicas |" in text
        assert f"## {name} — {scenario.title}" in text
    assert text.count("### What safety costs under replicas") == len(scenarios.scenarios())
    assert "| db-thread-lock | holds ✓ | fails ✓ (3 duplicates) |" in text
    assert "steady cost" in text and "make bench" in text


def test_summary_names_mismatches_and_prices_against_the_baseline(tmp_path: Path) -> None:
    keys = ["transfer/db-unsafe", "transfer/db-conditional"]
    cells = [
        cell("transfer/db-unsafe", "replicas", rps=100.0),
        cell("transfer/db-conditional", "replicas", "fails", anomalies={"imbalance": 2}, rps=50.0),
    ]
    text = markdown.render(results(keys, ["replicas"], tmp_path, cells))
    assert "**1 of 2 cells did not behave as expected:**" in text
    assert (
        "- transfer/db-conditional x replicas: expected holds, observed fails (a safe strategy leaked; 2 imbalance)"
        in text
    )
    assert "| db-conditional | fails ✗ expected holds (2 imbalance) |" in text
    assert "| db-conditional | fails | 50.0 (0.50×) |" in text
    assert text.splitlines()[-1].startswith("Open `index.html`")
