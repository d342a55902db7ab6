"""Inline SVG bars: escaped text, missing values skipped, nothing to fetch."""

from __future__ import annotations

from racelab.report.svg import grouped_bars

SERIES = [("threads", "threads", "#3b82f6"), ("replicas", "replicas", "#8b5cf6")]


def test_bars_escape_their_text_and_skip_missing_values() -> None:
    values = {("a<b", "threads"): 10.0, ("a<b", "replicas"): None, ("c", "threads"): 0.0, ("c", "replicas"): 5.0}
    svg = grouped_bars("x & y", ["a<b", "c"], SERIES, lambda c, k: values[(c, k)], label_zero=False)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    assert "<title>x &amp; y</title>" in svg and ">a&lt;b<" in svg
    assert svg.count('height="8"') == 2  # 10 and 5: None, and a zero without a label, are not drawn
    assert "href" not in svg and "<script" not in svg


def test_an_empty_row_says_so() -> None:
    svg = grouped_bars("t", ["calm"], SERIES, lambda c, k: 0.0, label_zero=False, empty_text="none in any topology")
    assert ">none in any topology<" in svg
