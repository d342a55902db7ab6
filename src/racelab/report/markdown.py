"""``summary.md``: the verdict matrices and the cost tables as Markdown, for a terminal, a PR or an issue.

Pure, like the page: :class:`~racelab.report.results.Results` in, text out.
"""

from __future__ import annotations

from racelab.report import isolation as isolation_section
from racelab.report import model
from racelab.report.progress import clock
from racelab.report.results import Results, ScenarioInfo


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f}×)"


def matrix(results: Results, scenario: ScenarioInfo) -> list[str]:
    """One scenario's verdict matrix: observed verdict, ✓ or ✗ with the expected one, anomaly counts."""
    m = model.matrix(results, scenario)
    lines = [
        f"| {scenario.name} | " + " | ".join(m.topologies) + " |",
        "|---|" + "---|" * len(m.topologies),
    ]
    for row in m.rows:
        texts = []
        for c in row.cells:
            if c.cell is None:
                texts.append("not run")
                continue
            j = c.cell.judgement
            mark = "✓" if c.cell.matches else f"✗ expected {j.expected}"
            counts = model.anomaly_text(c.cell)
            texts.append(f"{j.verdict} {mark}" + (f" ({counts})" if counts else ""))
        lines.append(f"| {row.strategy.name} | " + " | ".join(texts) + " |")
    return lines


def cost_table(results: Results, scenario: ScenarioInfo, topology: str) -> list[str]:
    rows = model.cost_rows(results, scenario, topology)
    if not rows:
        return ["No strategy with an unprotected baseline was run under this topology."]
    lines = [
        "| strategy | verdict | req/s | p50 ms | p99 ms | retries/call | lock wait ms/call | deadlocks/call "
        "| refused | spread ms (send / arrival / start) | priced against |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        c = r.cell.costs
        lines.append(
            f"| {r.strategy.name} | {r.cell.judgement.verdict} | {_num(c.rps, 1)}{_ratio(r.rps_ratio)} | "
            f"{_num(c.p50_ms)}{_ratio(r.p50_ratio)} | {_num(c.p99_ms)}{_ratio(r.p99_ratio)} | "
            f"{_num(c.retries_per_call, 2)} | {_num(c.wait_ms_per_call, 2)} | {_num(c.deadlocks_per_call, 2)} | "
            f"{r.cell.judgement.check.failed:,} | {_num(r.cell.spread.median_ms, 1)} / "
            f"{_num(r.cell.spread.arrival_median_ms, 1)} / {_num(r.cell.spread.start_median_ms, 1)} | {r.baseline}"
            + ("" if r.baseline_cell else " (not run here)")
            + " |"
        )
    return lines


def verdict_lines(results: Results) -> list[str]:
    """Every scenario's matrix: what the terminal prints at the end of ``make report``."""
    lines: list[str] = []
    for scenario in results.scenarios:
        lines += [*matrix(results, scenario), ""]
    return lines


def banner(results: Results) -> list[str]:
    t = model.tally(results)
    if t.ok:
        return [f"**All {len(t.cells)} cells behaved as expected.**"]
    if not t.cells:
        return ["**No cells were run.**"]
    lines = [f"**{len(t.cells) - t.as_expected} of {len(t.cells)} cells did not behave as expected:**", ""]
    lines += [f"- {model.problem(c)}" for c in t.mismatches + t.unknown]
    if t.unknown:
        lines += ["", f"{model.UNKNOWN_MEANS.capitalize()}."]
    return lines


def render(results: Results) -> str:
    t = model.tally(results)
    main = model.main_topology(results)
    c = results.config
    lines = [
        "# racelab report",
        "",
        f"revision `{results.revision[:12]}`{' (dirty)' if results.dirty else ''} · {results.generated_at} · "
        f"{len(t.cells)} cells · {t.calls:,} calls · {clock(results.duration_s)} · {c.runtime} runtime · "
        f"bursts of {c.users} users, {c.seconds_per_cell:g} s per cell · race window {c.race_window_ms} ms",
        "",
        *banner(results),
        "",
        "Verdicts: observed, then ✓ when it is the expected one (✗ and the expected verdict otherwise), "
        "and the anomalies the scenario's checker counted.",
        "Costs: measured in synchronised bursts, so requests/s is throughput under contention, not the "
        "steady cost: `make bench` measures that, closed-loop at 8, 32 and 128 callers "
        "(`bench/latest/summary.md`); ratios are to the baseline. Spread: median first-to-last send at the "
        "client / arrival on the app's sockets / start in the app, per burst.",
        "",
    ]
    for scenario in results.scenarios:
        m = model.matrix(results, scenario)
        lines += [f"## {scenario.name} — {scenario.title}", "", scenario.question, "", "### Verdicts", ""]
        lines += [*matrix(results, scenario), ""]
        ordered = [main] + [topology for topology in m.topologies if topology != main]
        for topology in ordered:
            if topology in m.topologies:
                lines += [f"### What safety costs under {topology}", "", *cost_table(results, scenario, topology), ""]
    lines += isolation_section.markdown_lines(results.isolation)
    lines += under_faults()
    lines += ["Open `index.html` for the charts, the explanations and the checkers' examples.", ""]
    return "\n".join(lines)


def under_faults() -> list[str]:
    """The latest ``racelab chaos`` run (chaos/latest), when there is one."""
    from racelab.chaos.results import report_section
    from racelab.runtime.paths import project_root

    return report_section(project_root() / "chaos")
