"""The report page in a real browser: headless Chromium shows the verdict matrix, offline.

Chromium comes from Debian (installed here when missing and we are root); Playwright's Python
package (pinned in the dev group) drives it, never a browser of its own.
"""

from __future__ import annotations

import json
from pathlib import Path


from racelab.report import html
from tests.conftest import ARTIFACTS

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "data" / "report-results.json"
def test_report_page_shows_the_matrix_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    results = json.loads(FIXTURE.read_text())
    page_file = tmp_path / "index.html"
    page_file.write_text(html.render(results), encoding="utf-8")

    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())

    matrix = page.locator("#matrix")
    assert matrix.is_visible()
    assert matrix.locator("tbody tr").count() == len(results["strategies"])
    headers = matrix.locator("thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers[1:]] == ["threads", "replicas"]
    cell = matrix.locator('td[data-strategy="db-thread-lock"][data-topology="replicas"]')
    assert cell.is_visible()
    assert cell.inner_text().splitlines()[0].strip().lower() == "fails"
    assert "expected fails ✓" in cell.inner_text()
    assert page.locator("svg.chart").count() == 3
    assert page.locator("svg.chart").first.bounding_box()["height"] > 50  # drawn, not collapsed
    assert requests == [page_file.as_uri()]  # nothing else fetched: self-contained

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    context.close()
