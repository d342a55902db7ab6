"""Report folders: a fresh one per run, ``latest``, pruning to KEEP, re-rendering, size."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from racelab.cli import main
from racelab.report import folders
from tests.report.factory import results


def make_report(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "results.json").write_text("{}")
    return folder


def test_keep_prunes_the_oldest_report_folders_only(tmp_path: Path) -> None:
    old = [make_report(tmp_path, f"2026010{i}-101010") for i in range(1, 8)]
    (tmp_path / "20260101-000000").mkdir()  # no results.json: a run that failed, not a report
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "results.json").write_text("{}")
    (tmp_path / "latest").symlink_to(old[-1].name)
    current = make_report(tmp_path, "20260109-101010")
    removed = folders.prune(tmp_path, 5, current)
    assert removed == old[:3]
    assert [p.name for p in folders.report_folders(tmp_path)] == [p.name for p in old[3:]] + [current.name]
    assert (tmp_path / "20260101-000000").is_dir() and (tmp_path / "notes").is_dir()


def test_keep_never_removes_the_report_just_written(tmp_path: Path) -> None:
    current = make_report(tmp_path, "20260101-000000")  # oldest by name: a clock set back
    newer = make_report(tmp_path, "20260301-000000")
    assert folders.prune(tmp_path, 1, current) == [newer]
    assert folders.report_folders(tmp_path) == [current]
    assert folders.prune(tmp_path, 0, current) == []  # 0: keep every report


def test_two_reports_in_one_second_get_two_folders(tmp_path: Path) -> None:
    now = datetime(2026, 1, 2, 3, 4, 5)
    first, second = folders.new_folder(tmp_path, now), folders.new_folder(tmp_path, now)
    assert (first.name, second.name) == ("20260102-030405", "20260102-030405-2")
    assert all(folders.REPORT_NAME.fullmatch(p.name) for p in (first, second))


def test_a_recorded_report_renders_again_from_results_json_alone(tmp_path: Path) -> None:
    folder = tmp_path / "20260102-030405"
    folder.mkdir()
    made = results(["counter/db-atomic", "payment/key-unique"], ["replicas"], tmp_path)
    folders.write(made, folder)
    assert (tmp_path / "latest").resolve() == folder.resolve()
    (folder / "index.html").unlink()
    (folder / "summary.md").write_text("stale")
    assert main(["report", "--render", str(folder)]) == 0
    assert 'id="matrix-payment"' in (folder / "index.html").read_text()
    assert (folder / "summary.md").read_text().startswith("# racelab report")
    assert folders.size(folder) > 10_000
