"""``racelab check``: every cell judged again from the history and states saved beside results.json."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import pytest

from racelab import scenarios
from racelab.cli import main
from racelab.core.history import Op
from racelab.engine.judge import judge
from racelab.engine.results import Cell, append_record, read_records
from racelab.report.check import Unusable, run
from racelab.report.progress import Console
from racelab.topology import Scope
from tests.report.factory import results

ROOT = Path(__file__).resolve().parents[2]


def calls(values: list[int]) -> list[Op]:
    """Overlapping calls answered by threads of one process."""
    return [
        Op(
            "next",
            {},
            "ok",
            value=v,
            served_by={"replica": "app-1", "pid": 11, "thread": f"T-{i}"},
            sent=100.0 + i / 1000,
            answered=100.5,
            burst=0,
        )
        for i, v in enumerate(values)
    ]


def records_file(folder: Path) -> Path:
    return folder / "cells" / "threads" / "cells.jsonl.gz"


RUNS = {  # key -> (history, initial, final)
    "counter/db-unsafe": (calls([1, 1, 2, 2]), {"value": 0}, {"value": 2}),
    "counter/db-atomic": (calls([1, 2, 3, 4]), {"value": 0}, {"value": 4}),
}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A report folder built by hand: each cell's record (history and states), and results.json."""
    folder = tmp_path / "20260101-120000"
    (folder / "cells" / "threads").mkdir(parents=True)
    cells = []
    for key, (history, initial, final) in RUNS.items():
        strategy = scenarios.get(key)
        judgement = judge(strategy, history, initial, final, Scope.THREADS, 4)
        states = {"initial": initial, "final": final, "params": {}, "declared_scope": "threads", "burst_size": 4}
        append_record(records_file(folder), key, states, history)
        files = {"record": "cells/threads/cells.jsonl.gz"}
        cells.append(Cell(strategy.scenario, strategy.name, "threads", judgement, files=files))
    assert [c.judgement.verdict for c in cells] == ["fails", "holds"]
    results(list(RUNS), ["threads"], tmp_path, cells).save(folder / "results.json")
    return folder


def check(folder: Path) -> tuple[int, str]:
    """The exit status, and what was printed with the columns' padding squeezed to one space."""
    stream = io.StringIO()
    status = run(folder, Console(stream))
    return status, "\n".join(" ".join(line.split()) for line in stream.getvalue().splitlines())


def test_every_verdict_reproduces_from_the_saved_histories(folder: Path) -> None:
    status, out = check(folder)
    assert status == 0, out
    assert "counter/db-unsafe x threads fails recorded fails ✓ reproduces" in out
    assert "counter/db-atomic x threads holds recorded holds ✓ reproduces" in out
    assert out.splitlines()[-1] == "all 2 verdicts reproduce from the saved histories"


def rewrite(folder: Path, key: str, final: dict[str, int]) -> None:
    """The records file again, with one cell's final state changed."""
    records = read_records(records_file(folder))
    records_file(folder).unlink()
    for name, (states, history) in records.items():
        append_record(records_file(folder), name, {**states, "final": final} if name == key else states, history)


def test_a_verdict_that_no_longer_follows_from_its_history_exits_one(folder: Path) -> None:
    rewrite(folder, "counter/db-atomic", {"value": 3})  # one acknowledged increment lost
    status, out = check(folder)
    assert status == 1
    assert "counter/db-atomic x threads fails recorded holds ✗ differs: 1 acknowledged increment(s)" in out
    assert out.splitlines()[-1] == "1 of 2 verdicts reproduce; 1 differ from results.json"


def test_a_missing_or_broken_file_is_named_and_exits_two(folder: Path) -> None:
    records = read_records(records_file(folder))
    records_file(folder).unlink()
    status, out = check(folder)
    assert status == 2
    assert "counter/db-unsafe x threads cannot be judged again: missing cells/threads/cells.jsonl.gz" in out
    states, history = records["counter/db-atomic"]
    append_record(records_file(folder), "counter/db-atomic", states, history)
    status, out = check(folder)
    assert status == 2 and "no record of counter/db-unsafe in cells/threads/cells.jsonl.gz" in out
    with gzip.open(records_file(folder), "wt") as broken:
        broken.write("{not json\n")
    status, out = check(folder)
    assert status == 2 and "unreadable records in cells.jsonl.gz (JSONDecodeError" in out


def test_an_unusable_folder_says_why_and_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Unusable, match="is not a folder"):
        run(tmp_path / "nowhere")
    assert main(["check", str(tmp_path)]) == 2
    assert f"racelab check: cannot read {tmp_path / 'results.json'}" in capsys.readouterr().err


def test_the_command_line_exits_with_the_verdict(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(folder)]) == 0
    assert "all 2 verdicts reproduce" in capsys.readouterr().out


def test_no_traceback_when_the_reader_goes_away(folder: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "racelab", "check", str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # like `racelab check ... | head -0`
    err = child.stderr.read()
    assert child.wait(timeout=60) == 0 and "Traceback" not in err, err
