"""The Locust web UI of a running lab: one Race verdicts tab per scenario, live, in headless Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from tests.bench.support import free_port
from tests.conftest import ARTIFACTS, ROOT, locust_headers, locust_login

pytestmark = pytest.mark.stack
TEMPLATE_ARGS = re.compile(r"window\.templateArgs = (\{.*\})\s*$", re.M)


def get(url: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers=locust_headers()), timeout=10) as response:
        return str(response.read().decode())


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST", headers=locust_headers()), timeout=10).read()


def credentials() -> dict[str, str]:
    user, password = locust_login()
    return {"username": user, "password": password}


@pytest.fixture()
def locust(stack: Any) -> Iterator[str]:
    """The lab's own Locust UI, left stopped afterwards whatever the test did."""
    yield stack.locust_url
    with contextlib.suppress(OSError):
        post(f"{stack.locust_url}/stop")


@pytest.fixture()
def own_locust(stack: Any) -> Iterator[str]:
    """A Locust of this test's own (the locustfile as the runtime starts it), so that the form
    values it submits do not become the lab's Locust's defaults for the tests after it."""
    port = free_port()
    argv = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "loadtests/locustfile.py"),
        "--web-host",
        "127.0.0.1",
        "--web-port",
        str(port),
        "-H",
        stack.url,
    ]
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, "LAB_TOKEN": stack.token, "LOCUST_PASSWORD": locust_login()[1]},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{url}/")
                break
            except OSError:
                assert process.poll() is None, "locust exited at start"
                assert time.monotonic() < deadline, "locust did not answer within 30 s"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_ui_carries_one_tab_per_scenario_and_their_rows(locust: str) -> None:
    # Locust does not test these extension keys itself: a smoke test guards the pinned version.
    found = TEMPLATE_ARGS.search(get(f"{locust}/"))
    assert found, "no window.templateArgs in Locust's page"
    args = json.loads(found[1])
    names = list(scenarios.scenarios())
    assert [t["key"] for t in args["extended_tabs"]] == [f"race-{n}" for n in names]
    for table, scenario in zip(args["extended_tables"], scenarios.scenarios().values(), strict=True):
        keys = [c["key"] for c in table["structure"]]
        assert keys[:2] == ["name", "verdict"] and set(scenario.anomalies) <= set(keys)
    assert [f["href"] for f in args["extended_csv_files"]] == [f"./race/{n}.csv" for n in names]
    assert args["num_users"] == args["extra_options"]["burst_size"]["default_value"]  # the form can burst
    stats = json.loads(get(f"{locust}/stats/requests"))
    assert [s["key"] for s in stats["extended_stats"]] == [f"race-{n}" for n in names]
    assert get(f"{locust}/race/signup.csv").startswith("name,verdict,expected,")


def wait_for_cell(page: Any, row: Any, column: int, wanted: str, seconds: float = 45) -> None:
    cell = row.locator("td").nth(column)
    deadline = time.monotonic() + seconds
    while cell.count() == 0 or cell.inner_text().strip() != wanted:
        assert time.monotonic() < deadline, f"no {wanted!r} in the tab: {page.locator('table').first.inner_text()}"
        page.wait_for_timeout(500)


def open_form(page: Any, url: str) -> None:
    page.goto(f"{url}/")
    form = page.locator("input[name=userCount]")
    try:
        form.wait_for(state="visible", timeout=5000)  # a fresh Locust opens on the start form
    except Exception:  # noqa: BLE001 - an earlier run left the stopped view up
        page.get_by_role("button", name="New").click()
        form.wait_for(state="visible", timeout=10000)


def test_start_with_the_forms_defaults_shows_db_thread_lock_failing(browser: Any, locust: str) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 800}, http_credentials=credentials())
    page = context.new_page()
    open_form(page, locust)
    # What a newcomer sees and changes nothing of: as many users as a burst has callers.
    page.get_by_role("button", name="Custom parameters").click()
    defaults = (
        page.input_value("input[name=userCount]"),
        page.input_value("input[name=burstSize]"),
        page.input_value("select[name=strategy]"),
    )
    assert defaults == ("20", "20", "counter/db-thread-lock")
    page.get_by_role("button", name="Start").click()

    page.get_by_role("tab", name="Race verdicts: counter").click()
    row = page.get_by_role("row").filter(has_text="db-thread-lock")
    wait_for_cell(page, row, 1, "fails")
    page.wait_for_timeout(2500)  # one more poll, so the screenshot shows settled numbers
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    rows = page.get_by_role("row").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "locust-defaults-counter.png"))
    page.get_by_role("button", name="Stop").click()
    context.close()

    assert cells[:3] == ["db-thread-lock", "fails", "fails"]  # expected here, too
    anomalies = scenarios.scenario("counter").anomalies
    assert sum(int(cells[7 + i]) for i in range(len(anomalies))) > 0
    assert cells[7 + len(anomalies)].startswith("value ")  # who collided: replica / pid / thread
    assert not any("⚠" in r for r in rows)  # nothing makes this run's verdicts doubtful
    deadline = time.monotonic() + 15
    while (final := json.loads(get(f"{locust}/race/verdicts")))["finished"] is not True:
        assert time.monotonic() < deadline, "the run did not finish after Stop"
        time.sleep(0.2)
    counter = {r["name"]: r for r in final["scenarios"]["counter"]}
    assert (counter["db-thread-lock"]["verdict"], counter["db-thread-lock"]["state"]) == ("fails", "final")
    assert "\ndb-thread-lock,fails,fails," in get(f"{locust}/race/counter.csv")


def test_fewer_users_than_the_burst_size_is_flagged_and_holds_becomes_unknown(browser: Any, own_locust: str) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 800}, http_credentials=credentials())
    page = context.new_page()
    open_form(page, own_locust)
    page.fill("input[name=userCount]", "1")
    page.fill("input[name=spawnRate]", "1")
    page.get_by_role("button", name="Start").click()  # burst size stays at its default, 20

    page.get_by_role("tab", name="Race verdicts: counter").click()
    row = page.get_by_role("row").filter(has_text="db-thread-lock")
    wait_for_cell(page, row, 1, "unknown")
    first = [c.strip() for c in page.get_by_role("row").nth(1).locator("td").all_inner_texts()]
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    page.screenshot(path=str(ARTIFACTS / "locust-one-user-warning.png"))
    page.get_by_role("button", name="Stop").click()
    context.close()

    assert first[0] == "⚠ note"  # above the strategies, its message across the row
    assert " ".join(c for c in first[1:] if c).startswith("this run has 1 user(s) but bursts of 20")
    assert cells[2] == "fails"  # what the lab should show, had the run raced
    assert "bursts of 20 need at least 20 users" in cells[-1]


def swarm(url: str, **form: object) -> None:
    data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
    request = urllib.request.Request(f"{url}/swarm", data=data, method="POST", headers=locust_headers())
    urllib.request.urlopen(request, timeout=10).read()


def verdicts_when(url: str, done: Any, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = json.loads(get(f"{url}/race/verdicts"))
        if done(body):
            return body
        assert time.monotonic() < deadline, f"not reached in {seconds} s: {json.dumps(body)[:2000]}"
        time.sleep(0.3)


def test_a_bad_race_window_is_reported_and_reset_stats_forgets_earlier_runs(own_locust: str) -> None:
    url = own_locust
    # The form skips the command line's checks: the run says what is wrong, the server refuses every call.
    swarm(url, user_count=4, spawn_rate=4, strategy="counter/db-atomic", burst_size=4, race_window_ms=5000)
    body = verdicts_when(url, lambda b: any(r["attempted"] for r in b["scenarios"]["counter"]))
    post(f"{url}/stop")
    assert any("race window must be a whole number of milliseconds from 0 to 2000" in n for n in body["notes"])
    body = verdicts_when(url, lambda b: b["finished"])
    row = body["scenarios"]["counter"][0]
    assert (row["name"], row["verdict"], row["acknowledged"]) == ("db-atomic", "unknown", 0)
    assert row["refused"] == row["attempted"] > 0 and "no call was acknowledged" in row["reason"]

    swarm(url, user_count=4, spawn_rate=4, strategy="inventory/db-conditional", burst_size=4, race_window_ms=0)
    body = verdicts_when(url, lambda b: any(r["acknowledged"] for r in b["scenarios"]["inventory"]))
    assert body["notes"] == [] and [r["name"] for r in body["scenarios"]["counter"]] == ["db-atomic"]  # kept
    post(f"{url}/stats/reset")  # Locust's RESET button: the rows of earlier runs go
    body = verdicts_when(url, lambda b: b["scenarios"]["counter"] == [])
    assert [r["name"] for r in body["scenarios"]["inventory"]] == ["db-conditional"]
    post(f"{url}/stop")
