"""``index.html``: the report as one self-contained page (inline CSS and SVG, no scripts, no fetches).

Pure: :func:`render` takes a :class:`~racelab.report.results.Results` and returns the page, drawn
by the Jinja2 templates in ``templates/`` (autoescaped); a recorded ``results.json`` renders the
same page anywhere. Links to each cell's files are relative and work as long as the folder stays
together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from racelab.chaos import results as chaos_results
from racelab.report import model
from racelab.report.progress import clock
from racelab.report.results import Results, ScenarioInfo, StrategyInfo
from racelab.report.svg import Series, grouped_bars
from racelab.runtime.paths import project_root

TOPOLOGY_COLOURS = {"single": "#94a3b8", "threads": "#3b82f6", "processes": "#f59e0b", "replicas": "#8b5cf6"}
OTHER_COLOURS = ["#10b981", "#ef4444", "#0ea5e9", "#a16207"]


# --- the docstrings' little markup ------------------------------------------------------------


def inline(text: str) -> Markup:
    """``code``, `code`, **bold**, *emphasis*; everything else escaped."""
    out = str(escape(text))
    out = re.sub(r"``(.+?)``", r"<code>\1</code>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    # A single star pair around words (not a multiplication like 3 * 4 * 5).
    return Markup(re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", out))  # noqa: S704


def docstring_html(text: str) -> Markup:
    """Paragraphs (blank-line separated) of :func:`inline` text."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(inline(p)) for p in paragraphs)


def num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) or digits else f"{value:,}"


def ratio(value: float | None) -> Markup:
    shown = Markup(' <span class="muted">({:.2f}×)</span>')
    return Markup("") if value is None else shown.format(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("racelab.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name fails the render instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(docstring=docstring_html, num=num, ratio=ratio, clock=clock)
    env.globals.update(problem=model.problem, unknown_means=model.UNKNOWN_MEANS)
    return env


# --- what each scenario's section shows -------------------------------------------------------


@dataclass
class Card:
    strategy: StrategyInfo
    evidence: model.Evidence


@dataclass
class ScenarioView:
    info: ScenarioInfo
    matrix: model.Matrix
    main: str
    main_costs: list[model.CostRow]
    other_costs: list[tuple[str, list[model.CostRow]]]
    charts: list[Markup]
    cards: list[Card]

    @property
    def ask(self) -> bool:
        """Whether to show the question: not when the explanation already opens with it."""
        opening = self.info.explanation.strip().split("\n\n", 1)[0]
        return self.info.question not in " ".join(opening.split())


def topology_series(topologies: list[str]) -> list[Series]:
    return [(t, t, TOPOLOGY_COLOURS.get(t, OTHER_COLOURS[i % len(OTHER_COLOURS)])) for i, t in enumerate(topologies)]


def charts(results: Results, scenario: ScenarioInfo, matrix: model.Matrix, main: str) -> list[Markup]:
    """Anomalies per cell, throughput per cell, and latency against the baseline under ``main``."""
    cells = model.cells_of(results, scenario.name)
    names = [row.strategy.name for row in matrix.rows]
    series = topology_series(matrix.topologies)

    def anomalies(strategy: str, topology: str) -> float | None:
        cell = cells.get((strategy, topology))
        return None if cell is None else float(cell.judgement.check.total)

    def rps(strategy: str, topology: str) -> float | None:
        cell = cells.get((strategy, topology))
        return None if cell is None else cell.costs.rps

    def latency(strategy: str, which: str) -> float | None:
        cell = cells.get((strategy, main))
        if cell is None:
            return None
        return cell.costs.p50_ms if which == "p50" else cell.costs.p99_ms

    kinds = ", ".join(n.replace("_", " ") for n in scenario.anomalies)
    drawn = [
        grouped_bars(
            f"{scenario.name}: anomalies per cell ({kinds})",
            names,
            series,
            anomalies,
            fmt=lambda v: f"{v:,.0f}",
            log=True,
            note="log scale",
            label_zero=False,
            empty_text="none in any topology",
        ),
        grouped_bars(
            f"{scenario.name}: throughput in bursts (requests/s)",
            names,
            series,
            rps,
            fmt=lambda v: f"{v:,.0f}",
        ),
    ]
    rows = model.cost_rows(results, scenario, main)
    if rows:
        priced = [r.strategy.name for r in rows]
        shown = [b for b in model.baselines(rows) if (b, main) in cells and b not in priced] + priced
        drawn.append(
            grouped_bars(
                f"{scenario.name}: latency under {main}, against the unprotected baseline (ms)",
                shown,
                [("p50", "p50", "#60a5fa"), ("p99", "p99", "#1d4ed8")],
                latency,
                fmt=lambda v: f"{v:,.0f} ms",
            )
        )
    return [Markup(svg) for svg in drawn]  # noqa: S704 - svg.py escapes every text it draws


def scenario_view(results: Results, scenario: ScenarioInfo) -> ScenarioView:
    matrix = model.matrix(results, scenario)
    main = model.main_topology(results)
    others = [(t, model.cost_rows(results, scenario, t)) for t in matrix.topologies if t != main]
    return ScenarioView(
        info=scenario,
        matrix=matrix,
        main=main,
        main_costs=model.cost_rows(results, scenario, main),
        other_costs=[(t, rows) for t, rows in others if rows],
        charts=charts(results, scenario, matrix, main),
        cards=[Card(row.strategy, model.evidence(results, scenario.name, row.strategy.name)) for row in matrix.rows],
    )


def config_rows(results: Results) -> list[tuple[str, str]]:
    c = results.config
    return [
        ("revision", results.revision + (" (with uncommitted changes)" if results.dirty else "")),
        ("generated", results.generated_at),
        ("duration", clock(results.duration_s)),
        ("runtime", c.runtime),
        ("topologies", "; ".join(f"{t.name} {t.shape} ({t.scope})" for t in c.topologies)),
        ("costs led by", c.main_topology),
        ("users per burst", str(c.users)),
        ("bursting time per cell", f"{c.seconds_per_cell:g} s, at least {c.min_bursts} bursts"),
        ("race window", f"{c.race_window_ms} ms"),
        ("strategies asked for", ", ".join(c.selectors) or "all"),
        ("quick", "yes" if c.quick else "no"),
        ("Locust HTML per cell", "yes" if c.locust_html else "no"),
        ("host", f"{c.host.cpus} CPUs, Python {c.host.python}, {c.host.platform}"),
    ]


def render(results: Results) -> str:
    return (
        environment()
        .get_template("index.html")
        .render(
            results=results,
            tally=model.tally(results),
            scenarios=[scenario_view(results, s) for s in results.scenarios],
            shapes={t: model.shape(results, t) for t in model.topologies(results)},
            config_rows=config_rows(results),
            isolation=results.isolation,
            faults=chaos_results.latest(project_root() / "chaos"),
            errors_text=chaos_results.errors_text,
            seconds=chaos_results.seconds,
        )
    )
