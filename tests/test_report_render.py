"""The report renders from a recorded results.json alone: matrix, costs, evidence, explanations."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest

from racelab.report import html, markdown, model
from racelab.report.runner import conclude, write

FIXTURE = Path(__file__).parent / "data" / "report-results.json"


@pytest.fixture()
def results() -> dict:
    return json.loads(FIXTURE.read_text())


def with_leak(results: dict, strategy: str = "db-atomic", topology: str = "replicas") -> dict:
    """The same run, but a safe strategy leaked in one cell."""
    leaked = copy.deepcopy(results)
    for cell in leaked["cells"]:
        if (cell["strategy"], cell["topology"]) == (strategy, topology):
            cell.update(observed="fails", duplicates=3, lost=2)
    return leaked


def test_the_fixture_is_a_results_file_other_tools_can_read(results: dict) -> None:
    assert {"revision", "config", "cells"} <= set(results)
    required = {"scenario", "strategy", "topology", "expected", "observed", "attempted", "acknowledged",
                "failed", "duplicates", "lost", "rps", "p50_ms", "p99_ms"}
    for cell in results["cells"]:
        assert required <= set(cell), required - set(cell)
        assert cell["observed"] in ("holds", "fails", "unknown")


def test_page_shows_every_cell_of_the_matrix(results: dict) -> None:
    page = html.render(results)
    matrix = page[page.index('<table class="matrix"'):page.index("</table>", page.index('<table class="matrix"'))]
    for strategy in ("db-unsafe", "db-thread-lock", "db-atomic", "file-lock"):
        assert f">{strategy}<" in matrix
    assert "threads" in matrix and "replicas" in matrix
    assert len(re.findall(r'<td class="cell ', matrix)) == 8
    # db-thread-lock holds with threads only, and the counts of its failure are shown
    assert re.search(r'class="cell holds" data-strategy="db-thread-lock" data-topology="threads"', matrix)
    assert re.search(r'class="cell fails" data-strategy="db-thread-lock" data-topology="replicas"', matrix)
    cell = next(c for c in results["cells"] if (c["strategy"], c["topology"]) == ("db-thread-lock", "replicas"))
    assert f"{cell['duplicates']:,} dup · {cell['lost']:,} lost" in matrix
    assert "All 8 cells behaved as expected." in page
    assert "mismatch" not in matrix


def test_page_prices_safe_strategies_against_their_unprotected_baseline(results: dict) -> None:
    rows = model.cost_rows(results, "replicas")
    assert [r["strategy"] for r in rows] == ["db-atomic"]
    atomic = next(c for c in results["cells"] if (c["strategy"], c["topology"]) == ("db-atomic", "replicas"))
    unsafe = next(c for c in results["cells"] if (c["strategy"], c["topology"]) == ("db-unsafe", "replicas"))
    assert rows[0]["baseline"] == "db-unsafe"
    assert rows[0]["rps_ratio"] == round(atomic["rps"] / unsafe["rps"], 2)
    page = html.render(results)
    costs = page[page.index('<table class="costs"'):]
    assert f"({rows[0]['rps_ratio']:.2f}×)" in costs
    assert "What safety costs under replicas" in page


def test_page_explains_each_strategy_and_shows_a_colliding_pair(results: dict) -> None:
    page = html.render(results)
    assert "<strong>Why it fails in production.</strong>" in page  # db-thread-lock's docstring
    found = model.evidence(results, "db-thread-lock")
    assert found is not None and found["topology"] == "replicas"
    first, second = found["pair"]
    assert model.served_text(first) in page and model.served_text(second) in page
    assert "No two calls got the same value" in page  # db-atomic


def test_page_is_self_contained(results: dict) -> None:
    page = html.render(results)
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert page.count("<svg") == 3  # anomalies, throughput, latency


def test_a_mismatch_is_named_on_the_page_and_in_the_summary(results: dict) -> None:
    leaked = with_leak(results)
    page = html.render(leaked)
    assert "1 of 8 cells differ from what was expected" in page
    assert "db-atomic x replicas: expected holds, observed fails (a safe strategy leaked" in page
    assert re.search(r'class="cell fails mismatch" data-strategy="db-atomic" data-topology="replicas"', page)
    summary = markdown.render(leaked)
    assert "**1 of 8 cells differ from what was expected:**" in summary
    assert "| db-atomic | holds ✓ | fails ✗ expected holds 3/2 |" in summary


def test_summary_markdown_has_the_matrix_and_the_costs(results: dict) -> None:
    text = markdown.render(results)
    assert "**All 8 cells behaved as expected.**" in text
    assert "| strategy | threads | replicas |" in text
    assert re.search(r"^\| db-thread-lock \| holds ✓ \| fails ✓ \d+/\d+ \|$", text, re.M)
    assert re.search(r"^\| db-atomic \| [\d,.]+ \(\d\.\d\d×\)", text, re.M)


def test_writing_a_report_folder_and_the_exit_status(results: dict, tmp_path: Path) -> None:
    folder = tmp_path / "20260101-000000"
    folder.mkdir()
    write(results, folder)
    assert {p.name for p in folder.iterdir()} >= {"results.json", "index.html", "summary.md"}
    assert (tmp_path / "latest").resolve() == folder.resolve()
    assert json.loads((folder / "results.json").read_text())["cells"] == results["cells"]

    out = io.StringIO()
    assert conclude(results, folder, out) == 0
    assert "all 8 cells behaved as expected" in out.getvalue()
    out = io.StringIO()
    assert conclude(with_leak(results), folder, out) == 1
    assert "db-atomic x replicas: expected holds, observed fails" in out.getvalue()


def test_an_unknown_verdict_is_a_mismatch_too(results: dict) -> None:
    unknown = copy.deepcopy(results)
    unknown["cells"][0].update(observed="unknown", acknowledged=0)
    assert "no verdict could be reached" in model.summary(unknown)["mismatches"][0]
