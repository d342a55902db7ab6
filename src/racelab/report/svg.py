"""Inline SVG charts for the report: plain strings, no scripts, no fonts, nothing to download."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

Series = tuple[str, str, str]  # key, label, colour


def _scale(value: float, top: float, log: bool) -> float:
    if top <= 0 or value <= 0:
        return 0.0
    if log:
        return math.log10(1 + value) / math.log10(1 + top)
    return value / top


def grouped_bars(
    title: str,
    categories: list[str],
    series: list[Series],
    value: Callable[[str, str], float | None],
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    log: bool = False,
    note: str = "",
    width: int = 760,
    label_zero: bool = True,
    empty_text: str = "",
) -> str:
    """Horizontal bars: one group per category, one bar per series; missing values are skipped."""
    label_w, right_pad, bar_h, gap, top = 170, 70, 9, 10, 46
    plot_w = width - label_w - right_pad
    values = [value(c, key) for c in categories for key, _, _ in series]
    peak = max((v for v in values if v is not None), default=0.0)
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(categories) + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    x: float = label_w
    for _key, label, colour in series:  # legend
        out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="35" class="chart-legend">{escape(label)}</text>')
        x += 14 + 7 * len(label) + 18
    for i, category in enumerate(categories):
        y0 = top + i * group_h
        out.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" text-anchor="end" '
            f'class="chart-label">{escape(category)}</text>'
        )
        drawn = 0
        for j, (key, label, colour) in enumerate(series):
            v = value(category, key)
            if v is None or (v == 0 and not label_zero):
                continue
            drawn += 1
            w = max(_scale(v, peak, log) * plot_w, 1.0 if v > 0 else 0.0)
            y = y0 + j * bar_h
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" fill="{colour}">'
                f"<title>{escape(category)} / {escape(label)}: {escape(fmt(v))}</title></rect>"
            )
            out.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 1}" class="chart-value">{escape(fmt(v))}</text>'
            )
        if not drawn and empty_text:
            middle = y0 + bar_h * len(series) / 2 + 4
            out.append(f'<text x="{label_w + 6}" y="{middle:.1f}" class="chart-note">{escape(empty_text)}</text>')
    axis_y = top + group_h * len(categories) - gap / 2
    out.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{axis_y}" class="chart-axis"/>')
    if note:
        out.append(f'<text x="{label_w}" y="{height - 6}" class="chart-note">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)
