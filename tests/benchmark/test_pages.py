"""summary.md and index.html from a hand-written results.json: every part shown, nothing fetched."""

from __future__ import annotations

from typing import Any

from racelab.benchmark import pages
from racelab.benchmark.charts import lines


def results() -> dict[str, Any]:
    point = {"strategy": "counter/a", "mode": "threads", "bursts": 4}
    return {
        "created": "2026-01-01T00:00:00",
        "elapsed_s": 1.0,
        "quick": True,
        "scope": "replicas",
        "machine": {
            "cores": 2,
            "cpu": "cpu",
            "load_average": [1.0, 1.0, 1.0],
            "versions": {"python": "3.11"},
            "app_scheduling": "batch",
        },
        "plan": {"notes": ["a tiny plan"], "seconds": 0.5},
        "spreads": {
            "strategy": "counter/db-unsafe",
            "bursts": 20,
            "rows": [
                {
                    "mode": "single-packet",
                    "size": 20,
                    "bursts": 20,
                    "send_median_ms": 0.0,
                    "send_max_ms": 0.01,
                    "arrival_median_ms": 0.21,
                    "arrival_max_ms": 1.5,
                    "start_median_ms": 16.8,
                    "start_max_ms": 24.9,
                    "goal_ms": 1.0,
                    "met": True,
                },
                {
                    "mode": "threads",
                    "size": 50,
                    "bursts": 20,
                    "send_median_ms": 2.2,
                    "send_max_ms": 29.3,
                    "arrival_median_ms": None,
                    "arrival_max_ms": None,
                    "start_median_ms": 19.4,
                    "start_max_ms": 30.2,
                    "goal_ms": None,
                    "met": None,
                },
            ],
        },
        "curves": {
            "points": [
                {**point, "size": 5, "window_ms": 0, "with_anomaly": 2, "fraction": 0.5},
                {**point, "size": 5, "window_ms": 2, "with_anomaly": 4, "fraction": 1.0},
                {**point, "strategy": "counter/b", "size": 5, "window_ms": 0, "with_anomaly": 1, "fraction": 0.25},
            ],
            "first_95": [{**point, "size": 5, "window_ms": 2, "with_anomaly": 4, "fraction": 1.0}],
        },
        "harness": {
            "endpoint": "/api/counter/redis-incr/next",
            "connections": 32,
            "seconds": 3,
            "runs": [
                {"tool": "wrk", "processes": 1, "rps": 2000.0, "errors": 0, "cpu_cores": 0.1},
                {"tool": "locust", "processes": 1, "rps": 1000.0, "errors": 0, "cpu_cores": 0.9},
            ],
            "wrk_rps": 2000.0,
            "ratios": {"1": 0.5},
        },
        "cost": [
            {
                "strategy": "counter/safe",
                "callers": 8,
                "rps": 50.0,
                "ratio": 0.25,
                "p50_ms": 1.0,
                "p99_ms": 9.0,
                "retries_per_call": 0.5,
                "wait_ms_per_call": 1.5,
                "refused": 0,
                "errors": 0,
                "baseline": "counter/unsafe",
                "is_baseline": False,
            },
            {
                "strategy": "counter/unsafe",
                "callers": 8,
                "rps": 200.0,
                "ratio": 1.0,
                "p50_ms": 1.0,
                "p99_ms": 3.0,
                "retries_per_call": 0.0,
                "wait_ms_per_call": 0.0,
                "refused": 0,
                "errors": 0,
                "baseline": None,
                "is_baseline": True,
            },
        ],
        "poll": {
            "strategy": "counter/redis-lock",
            "callers": [32],
            "best_poll_ms": {"32": 1.0},
            "rows": [
                {
                    "callers": 32,
                    "poll_ms": p,
                    "rps": r,
                    "p50_ms": 5.0,
                    "p99_ms": 50.0,
                    "wait_ms_per_call": 2.0,
                    "refused": 0,
                }
                for p, r in ((0.1, 90.0), (1.0, 100.0), (100.0, 20.0))
            ],
        },
    }


def test_summary_has_the_three_parts_their_figures_and_the_machine() -> None:
    md = pages.markdown(results())
    for text in ("## 1. Reproduction curves", "## 2. The harness against wrk", "## 3. The steady cost of safety"):
        assert text in md
    assert "| counter/a | threads | 5 | 2 | 4/4 |" in md  # the 95% table
    assert "Locust x1 / wrk: **0.50x**" in md and "below 0.8x" in md
    assert "| counter/safe | 8 | 50 | 0.25x |" in md
    assert (
        "2 cores (cpu)" in md
        and "the app's processes under batch scheduling" in md
        and "Most requests/s at: 1.0 ms with 32 callers" in md
    )
    # The spreads: medians (worst), the goal where there is one, "-" where a spread was not measured.
    assert "| single-packet | 20 | 0.00 (0.0) | 0.21 (1.5) | 16.8 (24.9) | <= 1.0 ms: met |" in md
    assert "| threads | 50 | 2.20 (29.3) | - (-) | 19.4 (30.2) |  |" in md


def test_a_run_saved_before_the_spreads_part_still_renders() -> None:
    old = {k: v for k, v in results().items() if k != "spreads"}
    assert "Not measured in this run." in pages.markdown(old) and "Not measured in this run." in pages.html(old)


def test_the_page_is_self_contained_with_inline_charts() -> None:
    page = pages.html(results())
    # two spread charts, a curve, the single points, the harness, the cost, two poll charts
    assert page.count("<svg") >= 8
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "counter/a, 5 requests" in page


def test_harness_note_says_the_harness_is_not_the_bottleneck_when_it_keeps_up() -> None:
    harness = {"ratios": {"1": 0.7, "2": 0.85}, "runs": []}
    assert "not the bottleneck" in pages.harness_note(harness, 2)
    assert pages.harness_note({"skipped": "wrk is not installed", "ratios": {}}, 2) == "wrk is not installed"


def test_a_line_chart_skips_unmeasured_points() -> None:
    svg = lines("t", [0.0, 1.0, 2.0], [("threads", "#000", [0.5, None, 1.0])], 1.0)
    assert svg.count("<circle") == 2 and "<polyline" in svg


def test_cpu_per_request_is_cores_over_rate_in_microseconds() -> None:
    runs = [
        {"tool": "wrk", "rps": 2000.0, "cpu_cores": 0.1},
        {"tool": "locust", "rps": 1000.0, "cpu_cores": 0.5},
        {"tool": "locust", "rps": 500.0, "cpu_cores": 0.5},
    ]
    assert pages.cpu_us_per_request(runs, "wrk") == 50.0
    assert pages.cpu_us_per_request(runs, "locust") == 750.0
    assert pages.cpu_us_per_request(runs, "nothing") is None
