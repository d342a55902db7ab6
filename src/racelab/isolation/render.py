"""The matrix as text: what ``racelab isolation`` prints (pure: results in, lines out)."""

from __future__ import annotations

from racelab.isolation.results import AnomalyResult, CellResult, IsolationResults


def mark(cell: CellResult) -> str:
    return "✓" if cell.as_documented else "✗"


def cell_text(cell: CellResult) -> str:
    return f"{cell.label} {mark(cell)}"


def matrix_lines(results: IsolationResults) -> list[str]:
    """One row per anomaly, one column per level: ANOMALY or prevented: <how>, ✓ when it is what
    PostgreSQL documents."""
    width = max([len(cell_text(c)) for c in results.cells] + [len(level) for level in results.levels]) + 2
    names = {a.name: f"{a.name} {a.title}" for a in results.anomalies}
    first = max([len(n) for n in names.values()] + [len("anomaly")]) + 2
    lines = [f"{'anomaly':<{first}}" + "".join(f"{level:<{width}}" for level in results.levels)]
    for anomaly in results.anomalies:
        lines.append(f"{names[anomaly.name]:<{first}}" + "".join(f"{cell_text(c):<{width}}" for c in anomaly.cells))
    return [line.rstrip() for line in lines]


def first_paragraph(text: str) -> str:
    """The docstring's first paragraph as plain text (its ``code`` and *emphasis* marks dropped)."""
    return " ".join(text.strip().split("\n\n", 1)[0].split()).replace("``", "").replace("*", "")


def detail_lines(anomaly: AnomalyResult, verbose: bool) -> list[str]:
    """What each cell observed; with ``verbose``, the explanation and every step too."""
    lines = [first_paragraph(anomaly.explanation) or f"{anomaly.name}, {anomaly.title}"]
    for cell in anomaly.cells:
        differs = "" if cell.as_documented else f" (PostgreSQL documents it as {cell.documented})"
        lines.append(f"  {cell.level}: {cell.label}{differs}: {cell.detail}")
        if verbose:
            lines += [f"      {step}" for step in cell.trace]
    return lines


def summary_line(results: IsolationResults) -> str:
    cells = results.cells
    unknown = sum(c.outcome == "unknown" for c in cells)
    extra = f", {unknown} unknown" if unknown else ""
    return (
        f"{results.as_documented}/{len(cells)} cells as PostgreSQL documents{extra} "
        f"({results.server} at {results.where}, {results.duration_s:.1f}s)"
    )


def lines(results: IsolationResults, verbose: bool = False) -> list[str]:
    out = matrix_lines(results)
    out.append("")
    shown = (
        results.anomalies
        if verbose
        else [a for a in results.anomalies if any(c.outcome != "prevented" or not c.as_documented for c in a.cells)]
    )
    for anomaly in shown:
        out += detail_lines(anomaly, verbose)
    out += [
        "",
        "✓: as PostgreSQL's documentation says for that level; ✗: not. -v: every step of every cell.",
        summary_line(results),
    ]
    return out
