"""summary.md and index.html from results.json alone: pure, so a saved run renders anywhere.

The page is self-contained (inline CSS and SVG, no scripts, no fetches): it opens offline.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from racelab.benchmark import charts, machine
from racelab.benchmark.plan import CROSS_SIZE, CROSS_WINDOW_MS
from racelab.report.svg import grouped_bars

LOCUST_TARGET = 0.8


def _num(v: float | None, fmt: str = "{:.0f}") -> str:
    return "-" if v is None else fmt.format(v)


def _pct(v: float | None) -> str:
    return _num(v, "{:.0%}")


def _ratio(v: float | None) -> str:
    return _num(v, "{:.2f}x")


def cpu_us_per_request(runs: list[dict[str, Any]], tool: str) -> float | None:
    """A tool's CPU per request, in µs, over its runs (its cores used divided by its requests/s)."""
    found = [r["cpu_cores"] / r["rps"] * 1e6 for r in runs if r["tool"] == tool and r["rps"]]
    return sum(found) / len(found) if found else None


def harness_note(harness: dict[str, Any], cores: int | None) -> str:
    """Why Locust falls short of wrk, when it does, from the CPU each tool used."""
    ratios = {k: v for k, v in harness.get("ratios", {}).items() if v is not None}
    if not ratios:
        return str(harness.get("skipped", "no figures"))
    best_n, best = max(ratios.items(), key=lambda kv: kv[1])
    runs = harness.get("runs", [])
    locust_us, wrk_us = cpu_us_per_request(runs, "locust"), cpu_us_per_request(runs, "wrk")
    cost = ""
    if locust_us is not None and wrk_us is not None:
        cost = (
            f" Locust spends about {locust_us:.0f} µs of CPU per request where wrk spends {wrk_us:.0f} µs "
            f"(both measured, start-up included)."
        )
    if best >= LOCUST_TARGET:
        return f"Locust reaches {best:.2f}x wrk ({best_n} process(es)): the harness is not the bottleneck.{cost}"
    return (
        f"Locust reaches {best:.2f}x wrk at best ({best_n} process(es)), below {LOCUST_TARGET}x. What limits it "
        f"is CPU: the {cores} cores are shared by nginx, the app's replicas, Redis, Postgres and the load "
        f"generator, so every µs Locust spends on a request is taken from the app.{cost} A second Locust "
        "process adds CPU for the harness, not for the app."
    )


def _curve_charts(points: list[dict[str, Any]]) -> list[str]:
    """Per strategy with a curve: fraction against the window (per size), and against the size."""
    by: dict[str, list[dict[str, Any]]] = {}
    for p in points:
        by.setdefault(p["strategy"], []).append(p)
    out = []
    singles: dict[str, dict[str, float | None]] = {}
    for key, found in by.items():
        modes = list(dict.fromkeys(p["mode"] for p in found))
        windows = sorted({p["window_ms"] for p in found})
        sizes = sorted({p["size"] for p in found})
        if len(windows) < 2 and len(sizes) < 2:
            singles[key] = {p["mode"]: p["fraction"] for p in found}
            continue
        lookup = {(p["mode"], p["size"], p["window_ms"]): p["fraction"] for p in found}
        for size in sizes:
            ws = sorted({p["window_ms"] for p in found if p["size"] == size})
            if len(ws) > 1:
                series = [(m, charts.colour(m, i), [lookup.get((m, size, w)) for w in ws]) for i, m in enumerate(modes)]
                out.append(
                    charts.lines(
                        f"{key}, {size} requests", [float(w) for w in ws], series, 1.0, x_label="race window (ms)"
                    )
                )
        ss = sorted({p["size"] for p in found if p["window_ms"] == CROSS_WINDOW_MS})
        if len(ss) > 1:
            series = [
                (m, charts.colour(m, i), [lookup.get((m, s, CROSS_WINDOW_MS)) for s in ss]) for i, m in enumerate(modes)
            ]
            out.append(
                charts.lines(
                    f"{key}, window {CROSS_WINDOW_MS} ms",
                    [float(s) for s in ss],
                    series,
                    1.0,
                    x_label="requests per burst",
                )
            )
    if singles:
        modes = list(dict.fromkeys(m for v in singles.values() for m in v))
        out.append(
            grouped_bars(
                f"The other unsafe strategies: {CROSS_SIZE} requests, window {CROSS_WINDOW_MS} ms",
                list(singles),
                [(m, m, charts.colour(m, i)) for i, m in enumerate(modes)],
                lambda c, m: singles[c].get(m),
                fmt=lambda v: f"{v:.0%}",
            )
        )
    return out


def _spread_charts(rows: list[dict[str, Any]]) -> list[str]:
    """Median arrival and start spreads, per mode, one bar per burst size."""
    modes = list(dict.fromkeys(r["mode"] for r in rows))
    sizes = sorted({r["size"] for r in rows})
    by = {(r["mode"], str(r["size"])): r for r in rows}
    series = [(str(n), f"{n} requests", charts.colour("", i)) for i, n in enumerate(sizes)]

    def chart(title: str, field: str) -> str:
        def value(mode: str, size: str) -> float | None:
            found = by.get((mode, size))
            return None if found is None else found[field]

        return grouped_bars(title, modes, series, value, fmt=lambda v: f"{v:.1f}")

    if not rows:
        return []
    return [
        chart("Arrival spread on the app's sockets, median (ms)", "arrival_median_ms"),
        chart("Start spread in the app, median (ms)", "start_median_ms"),
    ]


def view(results: dict[str, Any]) -> dict[str, Any]:
    """Everything both pages show, as strings and rows."""
    harness = results["harness"]
    cost = results["cost"]
    poll = results["poll"]
    callers = sorted({r["callers"] for r in cost})
    safe = list(dict.fromkeys(r["strategy"] for r in cost if not r.get("is_baseline")))
    ratio_of = {(r["strategy"], r["callers"]): r["ratio"] for r in cost if not r.get("is_baseline")}
    cost_chart = grouped_bars(
        "Requests/s as a ratio to the unprotected baseline, per concurrent callers",
        safe,
        [(str(c), f"{c} callers", charts.colour("", i)) for i, c in enumerate(callers)],
        lambda s, c: ratio_of.get((s, int(c))),
        fmt=lambda v: f"{v:.2f}x",
    )
    runs = harness.get("runs", [])
    harness_chart = grouped_bars(
        "Requests/s, in the order run",
        [f"{i + 1}. {r['tool']} x{r['processes']}" for i, r in enumerate(runs)],
        [("rps", "requests/s", "#3b82f6")],
        lambda c, _k: runs[int(c.split(".")[0]) - 1]["rps"],
        fmt=lambda v: f"{v:.0f}",
    ) if runs else ""  # fmt: skip
    poll_rows = poll.get("rows", [])
    poll_charts = []
    if poll_rows:
        xs = sorted({float(r["poll_ms"]) for r in poll_rows})
        by = {(r["callers"], float(r["poll_ms"])): r for r in poll_rows}
        ns = sorted({r["callers"] for r in poll_rows})
        axis = "poll interval (ms)"

        def series(field: str) -> list[charts.Line]:
            return [
                (f"{n} callers", charts.colour("", i), [by[n, x][field] if (n, x) in by else None for x in xs])
                for i, n in enumerate(ns)
            ]

        poll_charts = [
            charts.lines("requests/s", xs, series("rps"), None, "{:.0f}", axis),
            charts.lines("p99 (ms)", xs, series("p99_ms"), None, "{:.0f}", axis),
        ]
    spreads = results.get("spreads") or {"rows": []}  # absent from runs saved before part 1a
    return {
        "r": results,
        "spreads": spreads,
        "spread_charts": [Markup(c) for c in _spread_charts(spreads["rows"])],  # noqa: S704 - our own SVG
        "machine": machine.one_line(results["machine"]),
        "harness_note": harness_note(harness, results["machine"].get("cores")),
        "curve_charts": [Markup(c) for c in _curve_charts(results["curves"]["points"])],  # noqa: S704 - our own SVG
        "cost_chart": Markup(cost_chart),  # noqa: S704
        "harness_chart": Markup(harness_chart),  # noqa: S704
        "poll_charts": [Markup(c) for c in poll_charts],  # noqa: S704
        "num": _num,
        "pct": _pct,
        "ratio": _ratio,
    }


@cache
def _env() -> Environment:
    # Escaped in the HTML page only: summary.md is Markdown, where &lt; would show as such.
    return Environment(
        loader=PackageLoader("racelab.benchmark", "templates"),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(results: dict[str, Any]) -> str:
    return _env().get_template("index.html").render(**view(results))


def markdown(results: dict[str, Any]) -> str:
    return _env().get_template("summary.md").render(**view(results))


def write(results: dict[str, Any], folder: Path) -> None:
    (folder / "summary.md").write_text(markdown(results))
    (folder / "index.html").write_text(html(results))
