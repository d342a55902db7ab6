"""A report's folder: written whole, linked as ``latest``, pruned to the last few, re-rendered.

``report/<YYYYmmdd-HHMMSS>/`` holds ``results.json`` (every number), ``index.html`` and
``summary.md`` (drawn from results.json alone) and ``cells/<topology>/<scenario>/<strategy>/``
(each cell's history and states, Locust's files when asked for).
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from racelab.report import html, markdown
from racelab.report.results import Results

REPORT_NAME = re.compile(r"\d{8}-\d{6}(-\d+)?")  # a timestamp, and a count when two share a second
DEFAULT_KEEP = 5


def new_folder(root: Path, now: datetime | None = None) -> Path:
    """A fresh folder named after the time; never one that exists."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    name, n = stamp, 1
    while True:
        try:
            (root / name).mkdir()
            return root / name
        except FileExistsError:
            n += 1
            name = f"{stamp}-{n}"


def render_pages(results: Results, folder: Path) -> None:
    (folder / "index.html").write_text(html.render(results), encoding="utf-8")
    (folder / "summary.md").write_text(markdown.render(results), encoding="utf-8")


def write(results: Results, folder: Path) -> None:
    """results.json, then the pages, then ``latest`` pointing at the folder."""
    results.save(folder / "results.json")
    render_pages(results, folder)
    link_latest(folder)


def link_latest(folder: Path) -> None:
    latest = folder.parent / "latest"
    tmp = folder.parent / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    tmp.replace(latest)  # atomic: a reader never sees latest missing


def report_folders(root: Path) -> list[Path]:
    """The folders under ``root`` that are reports (a timestamp name with a results.json), oldest first."""
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and REPORT_NAME.fullmatch(p.name) and (p / "results.json").is_file()
    ]
    return sorted(found, key=lambda p: p.name)


def prune(root: Path, keep: int, current: Path) -> list[Path]:
    """Delete the oldest report folders so that ``keep`` remain, ``current`` always among them.
    ``keep`` 0 keeps them all. Anything that does not look like a report folder is left alone."""
    if keep <= 0:
        return []
    older = [p for p in report_folders(root) if p.resolve() != current.resolve()]
    doomed = older[: max(0, len(older) - (keep - 1))]
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed


def rerender(folder: Path) -> Results:
    """index.html and summary.md again from the folder's results.json (no stack needed)."""
    results = Results.load(folder / "results.json")
    render_pages(results, folder)
    return results


def size(folder: Path) -> int:
    """The disk space the folder takes, in bytes, as ``du -s`` counts it (blocks, links not followed)."""
    entries = [folder, *folder.rglob("*")]
    return sum(p.lstat().st_blocks * 512 for p in entries if not p.is_symlink())
