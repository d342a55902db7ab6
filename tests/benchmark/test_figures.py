"""racelab bench's figures on hand-written inputs: fractions, ratios, percentiles, the 95% finder,
and the two load generators' outputs."""

from __future__ import annotations

import pytest

from racelab.benchmark.figures import (
    CurvePoint,
    Sample,
    first_reproducing,
    fraction,
    latency_ms,
    locust_rate,
    mean,
    parse_wrk,
    ratio,
    summarise,
)


def test_fraction_and_ratio_say_none_rather_than_divide_by_nothing() -> None:
    assert fraction(3, 4) == 0.75 and fraction(0, 0) is None
    assert ratio(50.0, 200.0) == 0.25
    assert ratio(None, 1.0) is None and ratio(1.0, None) is None and ratio(1.0, 0.0) is None
    assert mean([1.0, 2.0, 6.0]) == 3.0 and mean([]) is None


def test_latency_percentiles_are_nearest_rank_in_ms() -> None:
    samples = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    assert latency_ms(samples) == {"p50_ms": pytest.approx(50.0), "p99_ms": pytest.approx(99.0)}
    assert latency_ms([]) == {"p50_ms": None, "p99_ms": None}


def point(strategy: str, mode: str, size: int, window: int, hits: int, bursts: int = 20) -> CurvePoint:
    return CurvePoint(strategy, mode, size, window, bursts, hits)


def test_the_95_finder_takes_the_fewest_requests_then_the_narrowest_window() -> None:
    points = [
        point("c/a", "threads", 2, 0, 10),  # 50%: not enough
        point("c/a", "threads", 5, 10, 20),
        point("c/a", "threads", 5, 2, 19),  # 95% exactly: counts, narrower than 10 ms
        point("c/a", "threads", 20, 0, 20),  # more requests: not preferred
        point("c/a", "last-byte", 2, 0, 18),  # 90%: never reached in this mode
        point("c/b", "threads", 50, 20, 0, bursts=0),  # nothing tried: no fraction
    ]
    found = first_reproducing(points)
    assert set(found) == {("c/a", "threads")}
    assert (found[("c/a", "threads")].size, found[("c/a", "threads")].window_ms) == (5, 2)
    assert point("c/a", "threads", 5, 2, 19).fraction == 0.95


def test_summarise_counts_answers_refusals_and_lost_calls_and_costs_per_answered_call() -> None:
    samples = [
        Sample(0.010, 200, retries=1, wait_ms=2.0),
        Sample(0.020, 200, retries=0, wait_ms=4.0),
        Sample(0.030, 409),
        Sample(0.040, 503),
        Sample(5.000, 0),  # no answer: not in the rate, nor in the latencies
    ]
    s = summarise(samples, seconds=2.0)
    assert (s["calls"], s["ok"], s["refused"], s["errors"]) == (5, 2, 1, 2)
    assert s["rps"] == 2.0
    assert s["p50_ms"] == pytest.approx(20.0) and s["p99_ms"] == pytest.approx(40.0)
    assert s["retries_per_call"] == 0.25 and s["wait_ms_per_call"] == 1.5


WRK = """Running 3s test @ http://127.0.0.1:26580/api/counter/redis-incr/next
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.51ms    8.01ms  96.09ms   80.12%
  5770 requests in 3.00s, 1.42MB read
  Non-2xx or 3xx responses: 7
Requests/sec:   1921.24
Transfer/sec:    485.01KB
"""

LOCUST = """Type,Name,Request Count,Failure Count,Median Response Time,Requests/s,Failures/s
POST,/api/counter/redis-incr/next,2751,3,31,917.2,1.0
,Aggregated,2751,3,31,917.2,1.0
"""


def test_wrk_and_locust_outputs_give_requests_per_second_and_errors() -> None:
    assert parse_wrk(WRK) == (1921.24, 7)
    assert parse_wrk(WRK.replace("  Non-2xx or 3xx responses: 7\n", "")) == (1921.24, 0)
    assert locust_rate(LOCUST) == (917.2, 3)
    with pytest.raises(ValueError, match="Requests/sec"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")
    with pytest.raises(ValueError, match="Aggregated"):
        locust_rate(LOCUST.splitlines()[0])
