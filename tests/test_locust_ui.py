"""The Locust web UI of a running lab: the Race verdicts tab, live, in headless Chromium."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.stack


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return response.read().decode()


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10).read()  # noqa: S310


@pytest.fixture()
def locust(stack):  # type: ignore[no-untyped-def]
    """The lab's Locust UI, left stopped afterwards whatever the test did."""
    yield stack.locust_url
    try:
        post(f"{stack.locust_url}/stop")
    except OSError:
        pass


def test_ui_carries_the_race_verdicts_tab_and_its_data(locust: str) -> None:
    # Locust does not test these extension keys itself: a smoke test guards the pinned version.
    page = get(f"{locust}/")
    assert '"extended_tabs": [{"key": "race-verdicts", "title": "Race verdicts"}]' in page
    assert "race/verdicts.csv" in page
    stats = json.loads(get(f"{locust}/stats/requests"))
    assert stats["extended_stats"][0]["key"] == "race-verdicts"
    assert get(f"{locust}/race/verdicts.csv").startswith("name,verdict,expected,")


def test_a_run_of_db_thread_lock_shows_fails_in_the_tab(browser: Any, locust: str) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 800})
    page = context.new_page()
    page.goto(f"{locust}/")
    form = page.locator("input[name=userCount]")
    try:
        form.wait_for(state="visible", timeout=5000)  # a fresh Locust opens on the start form
    except Exception:  # noqa: BLE001 - an earlier run left the stopped view up
        page.get_by_role("button", name="New").click()
        form.wait_for(state="visible", timeout=10000)
    page.fill("input[name=userCount]", "12")
    page.fill("input[name=spawnRate]", "12")
    page.get_by_role("button", name="Custom parameters").click()
    page.select_option("select[name=strategy]", "db-thread-lock")
    page.fill("input[name=burstSize]", "12")
    page.fill("input[name=raceWindowMs]", "0")
    page.get_by_role("button", name="Start").click()

    page.get_by_role("tab", name="Race verdicts").click()
    row = page.get_by_role("row").filter(has_text="db-thread-lock")
    verdict = row.locator("td").nth(1)
    deadline = time.monotonic() + 45
    while verdict.count() == 0 or verdict.inner_text().strip() != "fails":
        assert time.monotonic() < deadline, f"no 'fails' in the tab: {page.locator('table').first.inner_text()}"
        page.wait_for_timeout(500)
    page.wait_for_timeout(2500)  # one more poll, so the screenshot shows settled numbers
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / "locust-race-verdicts.png"))
    page.get_by_role("button", name="Stop").click()
    context.close()

    assert cells[0] == "db-thread-lock" and cells[1] == "fails" and cells[2] == "fails"  # expected here, too
    duplicates, lost = int(cells[7]), int(cells[8])
    assert duplicates + lost > 0
    assert cells[9].startswith("value ")  # who collided: replica / pid / thread
    assert int(cells[11]) > 0  # bursts fired
    csv_text = get(f"{locust}/race/verdicts.csv")
    assert "\ndb-thread-lock,fails,fails," in csv_text
