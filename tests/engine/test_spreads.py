"""Send, arrival and start spreads, computed on hand-written histories."""

from __future__ import annotations

import pytest

from racelab.app.arrival import wall_text
from racelab.core.history import Op
from racelab.engine.spreads import (
    SpreadSummary,
    arrival_spreads_ms,
    median,
    percentile,
    send_spreads_ms,
    start_spreads_ms,
)


def op(burst: int | None, sent: float | None, arrived: float | None, started: float | None = None) -> Op:
    return Op("next", {}, "ok", value=1, sent=sent, arrived=arrived, started=started, answered=None, burst=burst)


HISTORY = [
    op(0, 10.000, 10.0100, 10.011),
    op(0, 10.001, 10.0105, 10.020),
    op(0, 10.002, 10.0130, 10.014),  # burst 0: sent over 2 ms, arrived over 3 ms, started over 9 ms
    op(1, 20.000, 20.0500, 20.051),
    op(1, 20.000, None),  # never answered: no arrival, no start
    op(2, 30.000, 30.1000),  # a burst of one: no spread
    op(None, 40.000, 40.5),  # outside any burst
]


def test_spreads_per_burst_first_to_last() -> None:
    assert send_spreads_ms(HISTORY) == pytest.approx({0: 2.0, 1: 0.0})
    assert arrival_spreads_ms(HISTORY) == pytest.approx({0: 3.0})  # burst 1 has one arrival only
    assert start_spreads_ms(HISTORY) == pytest.approx({0: 9.0})


def test_a_server_that_stamps_no_arrival_still_has_start_spreads() -> None:
    history = [op(0, 1.0, None, 1.010), op(0, 1.0, None, 1.012)]
    summary = SpreadSummary.of(history)
    assert summary.arrival_median_ms is None and summary.start_median_ms == pytest.approx(2.0)
    assert summary.text() == "send=0.0ms arrival=- start=2.0ms"


def test_summary_takes_medians_and_worst() -> None:
    summary = SpreadSummary.of(HISTORY)
    assert summary.bursts == 3
    assert summary.send_median_ms == pytest.approx(1.0) and summary.send_max_ms == pytest.approx(2.0)
    assert summary.arrival_median_ms == pytest.approx(3.0) == summary.arrival_max_ms
    assert summary.start_median_ms == pytest.approx(9.0) == summary.start_max_ms
    assert summary.text() == "send=1.0ms (max 2.0) arrival=3.0ms (max 3.0) start=9.0ms (max 9.0)"
    assert SpreadSummary.of([]).text() == "send=- arrival=- start=-"


def test_median_and_nearest_rank_percentile() -> None:
    assert median([]) is None and median([3.0, 1.0, 2.0]) == 2.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0 and percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) is None


def test_wall_clock_text_keeps_microseconds() -> None:
    assert wall_text(1_795_863_260_218_599_123) == "1795863260.218599"
    assert wall_text(5_000_001_000) == "5.000001"
