"""The report's isolation anomalies section: kept in results.json, drawn in index.html and
summary.md, one line at the end of the run; a report without it still loads. No database."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from racelab.isolation.model import LEVELS
from racelab.isolation.results import AnomalyResult, CellResult, IsolationResults
from racelab.report import html, markdown
from racelab.report.isolation import run_for_report, terminal_lines
from racelab.report.results import Results
from tests.report.factory import results

KEYS = ["oncall/read-committed", "oncall/serializable"]


def matrix() -> IsolationResults:
    skew = [
        CellResult(
            "read committed", "anomaly", "", "no serial order explains the reads", "possible", ["T1 read id 1, 2"]
        ),
        CellResult("repeatable read", "anomaly", "", "no serial order explains the reads", "possible", []),
        CellResult(
            "serializable", "prevented", "aborted", "T2 commit failed: 40001", "prevented", ["T2 commit: 40001"]
        ),
    ]
    explanation = "**G2-item, write skew**: two transactions <each> write a different row.\n\nMore."
    return IsolationResults(
        list(LEVELS), [AnomalyResult("G2-item", "write skew", explanation, "serializable", skew)], "PostgreSQL 16.4"
    )


def with_matrix(tmp_path: Path, isolation: IsolationResults | None) -> Results:
    return dataclasses.replace(results(KEYS, ["replicas"], tmp_path), isolation=isolation)


def test_the_matrix_is_kept_in_results_json_and_old_reports_still_load(tmp_path: Path) -> None:
    shown = with_matrix(tmp_path, matrix())
    assert Results.from_json(shown.to_json()).isolation == shown.isolation
    raw = shown.to_json()
    del raw["isolation"]
    assert Results.from_json(raw).isolation is None


def test_the_page_shows_every_cell_with_how_it_was_prevented_and_its_steps(tmp_path: Path) -> None:
    page = html.render(with_matrix(tmp_path, matrix()))
    part = page[page.index('<section class="scenario isolation" id="isolation">') :]
    assert '<a href="#isolation">isolation anomalies</a>' in page
    assert part.count('data-anomaly="G2-item"') == 3
    assert 'class="cell fails" data-anomaly="G2-item" data-level="repeatable read"' in part
    assert 'class="cell holds" data-anomaly="G2-item" data-level="serializable"' in part
    assert "aborted · documented prevented ✓" in part
    assert "T2 commit: 40001" in part and "<strong>G2-item, write skew</strong>" in part
    assert "&lt;each&gt;" in part  # the explanation is escaped


def test_a_cell_that_differs_from_the_documentation_is_marked(tmp_path: Path) -> None:
    differs = matrix()
    differs.anomalies[0].cells[2].outcome = "anomaly"
    page = html.render(with_matrix(tmp_path, differs))
    assert 'class="cell fails mismatch" data-anomaly="G2-item" data-level="serializable"' in page
    summary = markdown.render(with_matrix(tmp_path, differs))
    assert "| G2-item write skew | ANOMALY ✓ | ANOMALY ✓ | ANOMALY ✗ documented prevented |" in summary


def test_summary_md_has_the_matrix_and_the_terminal_one_line(tmp_path: Path) -> None:
    summary = markdown.render(with_matrix(tmp_path, matrix()))
    assert "## Isolation anomalies" in summary
    assert "| G2-item write skew | ANOMALY ✓ | ANOMALY ✓ | prevented: aborted ✓ |" in summary
    assert "- G2-item, write skew: two transactions <each> write a different row." in summary
    assert terminal_lines(matrix())[0].startswith("isolation anomalies: 3/3 cells as PostgreSQL documents")


def test_a_report_without_the_matrix_says_why(tmp_path: Path) -> None:
    missing = run_for_report("docker")
    assert missing.error.startswith("not run:") and "docker compose exec app racelab isolation" in missing.error
    page = html.render(with_matrix(tmp_path, missing))
    assert "docker compose exec app racelab isolation" in page
    assert "## Isolation anomalies" in markdown.render(with_matrix(tmp_path, missing))
    assert "isolation anomalies" not in html.render(with_matrix(tmp_path, None)).lower()
