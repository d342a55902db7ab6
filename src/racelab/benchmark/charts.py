"""Line charts for the bench page: inline SVG strings, no scripts, nothing to download.

The report's :func:`racelab.report.svg.grouped_bars` draws the bars; curves (a fraction against
a window or a burst size) want lines, drawn here the same way.
"""

from __future__ import annotations

from html import escape

COLOURS = {"threads": "#3b82f6", "last-byte": "#f59e0b", "single-packet": "#10b981"}
OTHER = ["#8b5cf6", "#ef4444", "#0ea5e9", "#a16207"]

Line = tuple[str, str, list[float | None]]  # label, colour, one y per x (None: not measured)


def colour(label: str, i: int) -> str:
    return COLOURS.get(label, OTHER[i % len(OTHER)])


def lines(
    title: str,
    xs: list[float],
    series: list[Line],
    y_top: float | None = None,
    y_fmt: str = "{:.0%}",
    x_label: str = "",
    width: int = 380,
    height: int = 220,
) -> str:
    """Lines over evenly spaced x positions (the sampled values, not a linear axis)."""
    left, right, top, bottom = 44, 12, 40, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    found = [y for _, _, ys in series for y in ys if y is not None]
    peak = y_top if y_top is not None else max(found, default=1.0) or 1.0
    step = plot_w / max(1, len(xs) - 1)

    def at(i: int, y: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - min(y, peak) / peak * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" class="chart-label">{escape(y_fmt.format(peak))}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" class="chart-label">0</text>',
    ]
    for i, x in enumerate(xs):
        out.append(
            f'<text x="{left + i * step:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'class="chart-label">{x:g}</text>'
        )
    if x_label:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
            f'class="chart-note">{escape(x_label)}</text>'
        )
    lx: float = left
    for label, line_colour, ys in series:
        out.append(f'<rect x="{lx}" y="22" width="10" height="10" fill="{line_colour}"/>')
        out.append(f'<text x="{lx + 14}" y="31" class="chart-legend">{escape(label)}</text>')
        lx += 14 + 6.5 * len(label) + 14
        points = [(i, y) for i, y in enumerate(ys) if y is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, v) for i, v in points))
            out.append(f'<polyline points="{path}" fill="none" stroke="{line_colour}" stroke-width="2"/>')
        for i, v in points:
            x, y = at(i, v)
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{line_colour}">'
                f"<title>{escape(label)} at {xs[i]:g}: {escape(y_fmt.format(v))}</title></circle>"
            )
    out.append("</svg>")
    return "\n".join(out)
