"""racelab bench end to end on the test stack, with a plan of a few seconds: the folder, the
``latest`` link and the three parts are written. Figures are recorded, never compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from racelab.benchmark import runner
from racelab.benchmark.plan import Plan, Point
from racelab.engine.client import LabClient
from tests.conftest import TEST_ENV, Stack

pytestmark = pytest.mark.stack


def test_a_tiny_plan_writes_the_folder_with_the_three_parts(stack: Stack, tmp_path: Path) -> None:
    client = LabClient(stack.url, stack.token, h2_url=f"http://127.0.0.1:{TEST_ENV['NGINX_H2_PORT']}")
    plan = Plan(
        points=[Point("counter/db-unsafe", mode, 5, 0) for mode in ("threads", "single-packet")],
        bursts=1,
        concurrency=(4,),
        seconds=0.3,
        poll_ms=(1.0,),
        harness_seconds=1.0,
        locust_processes=(1,),
        quick=True,
        notes=["a test plan"],
        only_safe=("counter/redis-incr",),
        sharp_sizes=(5,),
        sharp_bursts=2,
    )
    lines: list[str] = []
    folder = runner.run(client, tmp_path, quick=True, log=lines.append, plan=plan)
    assert (tmp_path / "latest").resolve() == folder.resolve()
    for name in ("results.json", "summary.md", "index.html"):
        assert (folder / name).stat().st_size > 0
    results = json.loads((folder / "results.json").read_text())
    assert [p["bursts"] for p in results["curves"]["points"]] == [1, 1]
    # Spreads per mode: measured, never judged on their size here.
    assert [(r["mode"], r["size"], r["bursts"]) for r in results["spreads"]["rows"]] == [
        ("threads", 5, 2),
        ("single-packet", 5, 2),
    ]
    rows = results["spreads"]["rows"]
    assert all(r[f"{k}_median_ms"] is not None for r in rows for k in ("send", "arrival", "start"))
    assert results["harness"]["runs"] or results["harness"]["skipped"]
    assert {r["strategy"] for r in results["cost"]} == {"counter/redis-incr", "counter/redis-unsafe"}
    assert all(r["calls"] > 0 for r in results["cost"]) and results["poll"]["rows"][0]["calls"] > 0
    assert results["machine"]["cores"] and any(line.startswith("[curves 2/2]") for line in lines)
    md = (folder / "summary.md").read_text()
    assert "## 1." in md and "## 2." in md and "## 3." in md


@pytest.mark.parametrize("raw", ["0", "abc", "1001", "-1", "1e3"])
def test_a_bad_lock_poll_interval_is_a_clear_400(stack: Stack, raw: str) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", int(TEST_ENV["NGINX_PORT"]), timeout=10)
    try:
        conn.request("POST", f"/api/counter/redis-lock/next?lock_poll_ms={raw}", body=b"{}")
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 400 and "lock_poll_ms" in body["message"]
