"""The report page in a real browser: headless Chromium shows one verdict matrix per scenario, offline.

Chromium comes from Debian (installed here when missing and we are root); Playwright's Python
package (pinned in the dev group) drives it, never a browser of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.report import folders
from tests.conftest import ARTIFACTS
from tests.report.factory import cell, every_key, results

TOPOLOGIES = ["single", "threads", "processes", "replicas"]


def test_the_page_shows_one_matrix_per_scenario_offline(browser: Any, tmp_path: Path) -> None:
    cells = [cell(k, t) for k in every_key() for t in TOPOLOGIES]
    folder = tmp_path / "20260102-030405"
    folder.mkdir()
    folders.write(results(every_key(), TOPOLOGIES, tmp_path, cells), folder)
    page_file = folder / "index.html"

    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())

    assert page.locator("#banner").inner_text() == f"All {len(cells)} cells behaved as expected."
    matrices = page.locator("table.matrix")
    assert matrices.count() == len(scenarios.scenarios())
    for name, scenario in scenarios.scenarios().items():
        matrix = page.locator(f"#matrix-{name}")
        assert matrix.is_visible()
        assert matrix.locator("tbody tr").count() == len(scenario.strategies)
        headers = matrix.locator("thead th").all_inner_texts()
        assert [h.split("\n")[0] for h in headers[1:]] == TOPOLOGIES
    lock = page.locator('#matrix-counter td[data-strategy="db-thread-lock"][data-topology="replicas"]')
    assert lock.inner_text().splitlines()[0].strip().lower() == "fails"
    assert "expected fails ✓" in lock.inner_text()
    assert page.locator("svg.chart").count() == 3 * len(scenarios.scenarios())
    assert page.locator("svg.chart").first.bounding_box()["height"] > 50  # drawn, not collapsed
    assert requests == [page_file.as_uri()]  # nothing else fetched: self-contained

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    context.close()
