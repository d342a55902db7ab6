"""The report's "isolation anomalies" section: the matrix of :mod:`racelab.isolation`, run once
per report against the stack's Postgres, kept in ``results.json`` and rendered from it.

Running it needs the Postgres the native runtime publishes on the host; under the docker runtime
(or when Postgres does not answer) the section says why it is missing and how to get the matrix.
"""

from __future__ import annotations

from racelab.isolation.model import LEVELS
from racelab.isolation.render import first_paragraph
from racelab.isolation.results import IsolationResults
from racelab.isolation.runner import DOCKER_HINT, Unreachable, database_url, run_matrix
from racelab.runtime import envfile
from racelab.runtime.paths import project_root


def run_for_report(runtime: str) -> IsolationResults:
    """The whole matrix, or an empty one whose ``error`` says why it could not run."""
    if runtime == "docker":
        return IsolationResults(list(LEVELS), error=f"not run: {DOCKER_HINT}")
    try:
        return run_matrix(database_url(envfile.load(project_root())))
    except Unreachable as exc:
        return IsolationResults(list(LEVELS), error=f"not run: {exc}")


def terminal_lines(results: IsolationResults | None) -> list[str]:
    """One line for the end of ``make report``."""
    if results is None:
        return []
    if results.error:
        return [f"isolation anomalies: {results.error}"]
    cells = results.cells
    return [
        f"isolation anomalies: {results.as_documented}/{len(cells)} cells as PostgreSQL documents "
        f"({len(results.anomalies)} anomalies x {len(results.levels)} levels, {results.duration_s:.1f}s; "
        "racelab isolation prints the matrix)"
    ]


def markdown_lines(results: IsolationResults | None) -> list[str]:
    """The section of summary.md: the matrix, then what each anomaly is."""
    if results is None:
        return []
    lines = ["## Isolation anomalies", ""]
    if results.error:
        return [*lines, results.error, ""]
    lines += [
        f"Each classic anomaly's schedule, run at each isolation level against {results.server}; the verdict "
        "comes from what the sessions read and which statements waited or failed. ✓: as PostgreSQL documents.",
        "",
        "| anomaly | " + " | ".join(results.levels) + " |",
        "|---|" + "---|" * len(results.levels),
    ]
    for anomaly in results.anomalies:
        cells = " | ".join(
            f"{c.label} {'✓' if c.as_documented else '✗ documented ' + c.documented}" for c in anomaly.cells
        )
        lines.append(f"| {anomaly.name} {anomaly.title} | {cells} |")
    lines.append("")
    lines += [f"- {first_paragraph(a.explanation)}" for a in results.anomalies]
    return [*lines, ""]
