"""``index.html``: the report as one self-contained page (inline CSS and SVG, no scripts, no fetches).

Pure: :func:`render` takes the results dict and returns the page, so a recorded
``results.json`` renders the same page anywhere. Links to each cell's Locust report are relative
and work as long as the folder stays together.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from racelab.report import model
from racelab.report.svg import grouped_bars

TOPOLOGY_COLOURS = {"single": "#94a3b8", "threads": "#3b82f6", "processes": "#f59e0b", "replicas": "#8b5cf6"}
OTHER_COLOURS = ["#10b981", "#ef4444", "#0ea5e9", "#a16207"]

CSS = """
:root { --holds:#166534; --holds-bg:#dcfce7; --fails:#991b1b; --fails-bg:#fee2e2; --unknown:#374151;
        --unknown-bg:#e5e7eb; --line:#d1d5db; --muted:#6b7280; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#111827; margin:0;
       background:#f9fafb; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 36px 0 8px; }
h3 { font-size: 16px; margin: 0 0 6px; }
.meta, .muted { color: var(--muted); font-size: 13px; }
.banner { border-radius: 8px; padding: 12px 16px; margin: 16px 0; font-weight: 600; }
.banner.ok { background: var(--holds-bg); color: var(--holds); }
.banner.bad { background: var(--fails-bg); color: var(--fails); }
.banner ul { margin: 6px 0 0; font-weight: 400; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-size: 13px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.matrix td.cell { text-align: center; min-width: 120px; }
.verdict { font-weight: 700; text-transform: uppercase; font-size: 13px; letter-spacing: .04em; }
.holds { background: var(--holds-bg); color: var(--holds); }
.fails { background: var(--fails-bg); color: var(--fails); }
.unknown { background: var(--unknown-bg); color: var(--unknown); }
td.mismatch { outline: 3px solid #dc2626; outline-offset: -3px; }
.expect { font-size: 12px; color: #374151; }
.counts { font-size: 12px; color: #374151; }
.store { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px;
         padding: 0 4px; margin-left: 4px; }
.summary-line { font-size: 12px; color: var(--muted); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 12px 0; }
.card p { margin: 6px 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; background:#f3f4f6;
       padding: 0 3px; border-radius: 3px; }
.evidence { border-left: 4px solid #dc2626; background: #fef2f2; padding: 6px 10px; margin-top: 8px; }
.evidence.none { border-color: #16a34a; background: #f0fdf4; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px; margin: 10px 0; }
.chart-title { font-size: 14px; font-weight: 600; } .chart-legend, .chart-value { font-size: 10px; }
.chart-label { font-size: 11px; } .chart-note { font-size: 10px; fill: #6b7280; }
.chart-axis { stroke: #9ca3af; }
details { margin: 8px 0; } summary { cursor: pointer; color: #1f2937; }
.links a { margin-right: 8px; font-size: 12px; }
"""


def _inline(text: str) -> str:
    """The docstrings' little markup: ``code``, `code`, **bold**; everything else escaped."""
    out = escape(text)
    out = re.sub(r"``(.+?)``", r"<code>\1</code>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)


def docstring_html(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join(f"<p>{_inline(p)}</p>" for p in paragraphs)


def _fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{escape(str(value))}{unit}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f' <span class="muted">({value:.2f}×)</span>'


def topology_header(results: dict[str, Any], name: str) -> str:
    topo = next((t for t in results.get("config", {}).get("topologies", []) if t["name"] == name), None)
    shape = f"{topo['replicas']}×{topo['workers']}×{topo['threads']}" if topo else ""
    return f"{escape(name)}<br><span class=\"muted\">{shape}</span>"


def matrix(results: dict[str, Any]) -> str:
    cells, meta = model.cell_map(results), results.get("strategies", {})
    topologies = model.topologies(results)
    head = "".join(f"<th>{topology_header(results, t)}</th>" for t in topologies)
    rows = []
    for name in model.strategy_names(results):
        info = meta.get(name, {})
        tds = []
        for topology in topologies:
            cell = cells.get((name, topology))
            if cell is None:
                tds.append('<td class="cell unknown">not run</td>')
                continue
            observed, expected = cell.get("observed", "unknown"), cell.get("expected", "unknown")
            ok = model.matches(cell)
            mark = "✓" if ok else "✗"
            counts = (
                f"{_fmt(cell.get('duplicates', 0))} dup · {_fmt(cell.get('lost', 0))} lost"
                if model.anomalies(cell) else f"0 anomalies in {_fmt(cell.get('acknowledged', 0))}"
            )
            tds.append(
                f'<td class="cell {escape(observed)}{"" if ok else " mismatch"}" '
                f'data-strategy="{escape(name)}" data-topology="{escape(topology)}" '
                f'title="{escape(cell.get("reason", ""))}">'
                f'<div class="verdict">{escape(observed)}</div>'
                f'<div class="expect">expected {escape(expected)} {mark}</div>'
                f'<div class="counts">{counts}</div></td>'
            )
        rows.append(
            f'<tr><th scope="row">{escape(name)}<span class="store">{escape(info.get("store", ""))}</span>'
            f'<div class="summary-line">{escape(info.get("summary", ""))}</div></th>{"".join(tds)}</tr>'
        )
    return (
        f'<table class="matrix" id="matrix"><thead><tr><th>strategy</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def cost_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="muted">No safe strategy was run under this topology.</p>'
    body = []
    for r in rows:
        body.append(
            f"<tr><th scope=\"row\">{escape(r['strategy'])}</th>"
            f"<td class=\"num\">{_fmt(r['rps'])}{_ratio(r['rps_ratio'])}</td>"
            f"<td class=\"num\">{_fmt(r['p50_ms'], 0)}{_ratio(r['p50_ratio'])}</td>"
            f"<td class=\"num\">{_fmt(r['p99_ms'], 0)}{_ratio(r['p99_ratio'])}</td>"
            f"<td class=\"num\">{_fmt(r['retries_per_call'], 2)}</td>"
            f"<td class=\"num\">{_fmt(r['wait_ms_per_call'], 2)}</td>"
            f"<td class=\"num\">{_fmt(r['failed'])}</td>"
            f"<td>{escape(r['baseline'] or '–')} <span class=\"muted\">"
            f"({_fmt(r['baseline_rps'])} req/s, p50 {_fmt(r['baseline_p50_ms'], 0)} ms)</span></td></tr>"
        )
    return (
        '<table class="costs"><thead><tr><th>strategy</th><th>requests/s</th><th>p50 ms</th><th>p99 ms</th>'
        "<th>retries per call</th><th>lock wait ms per call</th><th>failed calls</th>"
        "<th>unprotected baseline</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def charts(results: dict[str, Any]) -> str:
    cells = model.cell_map(results)
    topologies = model.topologies(results)
    series = [
        (t, t, TOPOLOGY_COLOURS.get(t, OTHER_COLOURS[i % len(OTHER_COLOURS)])) for i, t in enumerate(topologies)
    ]
    names = model.strategy_names(results)

    def field(key: str):  # type: ignore[no-untyped-def]
        def get(strategy: str, topology: str) -> float | None:
            cell = cells.get((strategy, topology))
            return None if cell is None or cell.get(key) is None else float(cell[key])
        return get

    anomaly_chart = grouped_bars(
        "Anomalies per cell (duplicates + lost updates)", names, series,
        lambda s, t: None if (s, t) not in cells else float(model.anomalies(cells[(s, t)])),
        fmt=lambda v: f"{v:,.0f}", log=True, note="log scale", label_zero=False,
        empty_text="none in any topology",
    )
    rps_chart = grouped_bars(
        "Throughput per strategy (requests/s, in bursts)", names, series, field("rps"),
        fmt=lambda v: f"{v:,.0f}",
    )
    main = model.main_topology(results)
    safe = [r["strategy"] for r in model.cost_rows(results, main)]
    baselines = sorted({model.baseline_for(results, s) for s in safe} & {s for s, t in cells if t == main})
    latency_chart = grouped_bars(
        f"Latency under {main}: safe strategies and their unprotected baselines (ms)", baselines + safe,
        [("p50_ms", "p50", "#60a5fa"), ("p99_ms", "p99", "#1d4ed8")],
        lambda s, key: field(key)(s, main), fmt=lambda v: f"{v:,.0f} ms",
    )
    return anomaly_chart + rps_chart + latency_chart


def evidence_html(results: dict[str, Any], name: str) -> str:
    found = model.evidence(results, name)
    if found is None:
        cells = [c for (s, _), c in model.cell_map(results).items() if s == name]
        calls = sum(int(c.get("acknowledged", 0)) for c in cells)
        return (
            f'<div class="evidence none">No two calls got the same value: {calls:,} acknowledged calls '
            f"across {len(cells)} topologies.</div>"
        )
    a, b = found["pair"]
    more = f" ({found['holders']} calls in all)" if found["holders"] > 2 else ""
    return (
        f'<div class="evidence">Under <strong>{escape(found["topology"])}</strong>, two calls were both '
        f"handed <strong>{escape(str(found['value']))}</strong>{more}:<br>"
        f"served by <code>{escape(model.served_text(a))}</code><br>"
        f"and by <code>{escape(model.served_text(b))}</code></div>"
    )


def strategy_cards(results: dict[str, Any]) -> str:
    cards = []
    meta = results.get("strategies", {})
    for name in model.strategy_names(results):
        info = meta.get(name, {})
        expected = ", ".join(f"{t}: {v}" for t, v in info.get("expected", {}).items())
        cards.append(
            f'<section class="card" id="strategy-{escape(name)}"><h3>{escape(name)}'
            f'<span class="store">{escape(info.get("store", ""))}</span></h3>'
            f'<div class="muted">{escape(info.get("summary", ""))} · safe up to '
            f'{escape(info.get("safe_up_to", "?"))} · expected {escape(expected)}</div>'
            f"{docstring_html(info.get('explanation', ''))}{evidence_html(results, name)}</section>"
        )
    return "".join(cards)


def cell_links(results: dict[str, Any]) -> str:
    rows = []
    cells = model.cell_map(results)
    for topology in model.topologies(results):
        links = []
        for name in model.strategy_names(results):
            files = (cells.get((name, topology)) or {}).get("locust") or {}
            base = files.get("dir", "")
            if files.get("html"):
                links.append(f'<a href="{escape(base + files["html"])}">{escape(name)}</a>')
            if files.get("csv_stats"):
                links.append(f'<a href="{escape(base + files["csv_stats"])}">csv</a>')
        if links:
            rows.append(f"<tr><th>{escape(topology)}</th><td class=\"links\">{''.join(links)}</td></tr>")
    return f"<table>{''.join(rows)}</table>" if rows else '<p class="muted">No Locust files recorded.</p>'


def config_table(results: dict[str, Any]) -> str:
    config = results.get("config", {})
    rows = [("revision", results.get("revision", "?")), ("generated", results.get("generated_at", "?")),
            ("duration", f"{results.get('duration_s', 0):.0f} s")]
    for key, value in config.items():
        if key == "topologies":
            value = "; ".join(f"{t['name']} {t['replicas']}×{t['workers']}×{t['threads']}" for t in value)
        rows.append((key, value))
    body = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def render(results: dict[str, Any]) -> str:
    s = model.summary(results)
    main = model.main_topology(results)
    costs = model.costs(results)
    if s["ok"]:
        banner = f'<div class="banner ok">All {s["cells"]} cells behaved as expected.</div>'
    else:
        items = "".join(f"<li>{escape(m)}</li>" for m in s["mismatches"]) or "<li>no cells were run</li>"
        banner = (
            f'<div class="banner bad">{len(s["mismatches"])} of {s["cells"]} cells differ from what was '
            f"expected.<ul>{items}</ul></div>"
        )
    other_costs = "".join(
        f"<details><summary>Costs under {escape(t)}</summary>{cost_table(rows)}</details>"
        for t, rows in costs.items() if t != main
    )
    config = results.get("config", {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>racelab report {escape(results.get("generated_at", ""))}</title>
<style>{CSS}</style></head>
<body><main>
<h1>racelab: which fix holds where</h1>
<div class="meta">revision {escape(str(results.get("revision", "?")))} · {escape(results.get("generated_at", ""))} ·
{escape(str(config.get("runtime", "")))} runtime · {s["attempted"]:,} calls · race window
{escape(str(config.get("race_window_ms", 0)))} ms · bursts of {escape(str(config.get("users", "?")))} users</div>
{banner}
<h2 id="verdicts">Verdict matrix</h2>
<p class="muted">Each cell: the verdict the checker computed from what the clients saw (duplicate values,
acknowledged increments missing from the final value), against the verdict expected from how far the
strategy's protection reaches. ✓ as expected, ✗ not.</p>
{matrix(results)}
<h2 id="costs">What safety costs under {escape(main)}</h2>
<p class="muted">Safe strategies against the unprotected strategy of the same store, measured in the same
run, in synchronised bursts (so requests/s is throughput under contention, not peak throughput).</p>
{cost_table(costs.get(main, []))}
{other_costs}
<h2 id="charts">Charts</h2>
{charts(results)}
<h2 id="strategies">The strategies, and the evidence</h2>
{strategy_cards(results)}
<h2 id="locust">Locust's own reports, per cell</h2>
{cell_links(results)}
<h2 id="config">Configuration</h2>
{config_table(results)}
</main></body></html>
"""
