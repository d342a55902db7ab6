"""Send and arrival spreads, computed on hand-written histories."""

from __future__ import annotations

import pytest

from racelab.app.arrival import wall_text
from racelab.core.history import Op
from racelab.engine.spreads import SpreadSummary, arrival_spreads_ms, median, percentile, send_spreads_ms


def op(burst: int | None, sent: float | None, arrived: float | None) -> Op:
    return Op("next", {}, "ok", value=1, sent=sent, arrived=arrived, answered=None, burst=burst)


HISTORY = [
    op(0, 10.000, 10.0100),
    op(0, 10.001, 10.0105),
    op(0, 10.002, 10.0130),  # burst 0: sent over 2 ms, arrived over 3 ms
    op(1, 20.000, 20.0500),
    op(1, 20.000, None),  # never answered: no arrival
    op(2, 30.000, 30.1000),  # a burst of one: no spread
    op(None, 40.000, 40.5),  # outside any burst
]


def test_spreads_per_burst_first_to_last() -> None:
    assert send_spreads_ms(HISTORY) == pytest.approx({0: 2.0, 1: 0.0})
    assert arrival_spreads_ms(HISTORY) == pytest.approx({0: 3.0})  # burst 1 has one arrival only


def test_summary_takes_medians_and_worst() -> None:
    summary = SpreadSummary.of(HISTORY)
    assert summary.bursts == 3
    assert summary.send_median_ms == pytest.approx(1.0) and summary.send_max_ms == pytest.approx(2.0)
    assert summary.arrival_median_ms == pytest.approx(3.0) == summary.arrival_max_ms
    assert summary.text() == "send=1.0ms (max 2.0) arrival=3.0ms (max 3.0)"
    assert SpreadSummary.of([]).text() == "send=- arrival=-"


def test_median_and_nearest_rank_percentile() -> None:
    assert median([]) is None and median([3.0, 1.0, 2.0]) == 2.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0 and percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) is None


def test_wall_clock_text_keeps_microseconds() -> None:
    assert wall_text(1_795_863_260_218_599_123) == "1795863260.218599"
    assert wall_text(5_000_001_000) == "5.000001"
