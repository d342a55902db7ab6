"""``summary.md``: the verdict matrix and the costs as Markdown, for a terminal, a PR or an issue."""

from __future__ import annotations

from typing import Any

from racelab.report import model


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f}×)"


def render(results: dict[str, Any]) -> str:
    s = model.summary(results)
    cells = model.cell_map(results)
    topologies = model.topologies(results)
    lines = [
        "# racelab report",
        "",
        f"revision `{results.get('revision', '?')}` · {results.get('generated_at', '')} · "
        f"{s['cells']} cells · {s['attempted']:,} calls · {results.get('duration_s', 0):.0f} s",
        "",
    ]
    if s["ok"]:
        lines += [f"**All {s['cells']} cells behaved as expected.**", ""]
    else:
        lines += [f"**{len(s['mismatches'])} of {s['cells']} cells differ from what was expected:**", ""]
        lines += [f"- {m}" for m in s["mismatches"]] + [""]
    lines += ["## Verdicts (observed, ✓ = as expected; duplicates/lost)", ""]
    lines.append("| strategy | " + " | ".join(topologies) + " |")
    lines.append("|---|" + "---|" * len(topologies))
    for name in model.strategy_names(results):
        row = []
        for topology in topologies:
            cell = cells.get((name, topology))
            if cell is None:
                row.append("not run")
                continue
            mark = "✓" if model.matches(cell) else f"✗ expected {cell.get('expected')}"
            counts = f" {cell.get('duplicates', 0)}/{cell.get('lost', 0)}" if model.anomalies(cell) else ""
            row.append(f"{cell.get('observed')} {mark}{counts}")
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    main = model.main_topology(results)
    lines += ["", f"## What safety costs under {main}", ""]
    lines.append("| strategy | req/s | p50 ms | p99 ms | retries/call | lock wait ms/call | baseline |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in model.cost_rows(results, main):
        lines.append(
            f"| {r['strategy']} | {_num(r['rps'], 1)}{_ratio(r['rps_ratio'])} | {_num(r['p50_ms'])}"
            f"{_ratio(r['p50_ratio'])} | {_num(r['p99_ms'])}{_ratio(r['p99_ratio'])} | "
            f"{_num(r['retries_per_call'], 2)} | {_num(r['wait_ms_per_call'], 2)} | {r['baseline'] or '–'} |"
        )
    lines += ["", "## Evidence", ""]
    for name in model.strategy_names(results):
        found = model.evidence(results, name)
        if found:
            a, b = found["pair"]
            lines.append(
                f"- **{name}** under {found['topology']}: value {found['value']} went to "
                f"`{model.served_text(a)}` and `{model.served_text(b)}`"
            )
    lines += ["", "Open `index.html` for the charts and the explanations.", ""]
    return "\n".join(lines)
