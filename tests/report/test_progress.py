"""The progress line, and output that survives a closed pipe."""

from __future__ import annotations

import io

from racelab.report.progress import Console, Progress, clock


def test_a_log_gets_one_line_per_cell_with_its_outcome_and_an_eta() -> None:
    out = io.StringIO()
    progress = Progress(2, out, switches=1)
    progress.switching("switching the stack to replicas")
    progress.switched()
    progress.show("counter/db-atomic x replicas")
    progress.advance("counter/db-atomic x replicas: holds (ok)")
    progress.advance("counter/db-unsafe x replicas: fails (ok)")
    first, second = out.getvalue().splitlines()
    assert first.startswith("[############............] 1/2  counter/db-atomic x replicas: holds (ok)")
    assert "elapsed, ETA 0:00" in first
    assert second.startswith("[########################] 2/2  counter/db-unsafe x replicas: fails (ok)")
    assert (clock(61.7), clock(-3)) == ("1:01", "0:00")


def test_a_closed_pipe_is_dropped_quietly() -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    console = Console(Closed())
    console.print("the reader went away")
    console.print("and this is dropped")
    console.flush()
    assert console.closed and not console.isatty()
