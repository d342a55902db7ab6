"""The bench's JSON lines, and its cells as the report keeps them."""

from __future__ import annotations

import json

import pytest

from racelab.report.cells import adopt, parse_event
from racelab.report.lab import ReportError
from tests.report.factory import cell


def test_the_bench_lines_become_typed_events() -> None:
    made = cell("counter/db-atomic", "replicas")
    start = parse_event(json.dumps({"event": "start", "strategy": "counter/db-atomic"}))
    assert start is not None and (start.kind, start.strategy) == ("start", "counter/db-atomic")
    line = parse_event(json.dumps({"event": "cell", "cell": made.to_json(), "timing": {"setup_s": 0.1}}))
    assert line is not None and line.cell == made
    error = parse_event(json.dumps({"event": "error", "message": "the lab does not answer"}))
    assert error is not None and error.message == "the lab does not answer"
    for other in ("WARNING gevent says hello", "[1, 2]", '{"event": "progress"}', ""):
        assert parse_event(other) is None
    with pytest.raises(ReportError, match="the bench printed a 'cell' line racelab cannot read"):
        parse_event(json.dumps({"event": "cell", "cell": {"scenario": "counter"}}))


def test_a_cell_is_kept_under_its_topology_with_paths_from_the_report_folder() -> None:
    made = cell("counter/db-atomic", "single", files={"record": "cells.jsonl.gz", "locust_html": "c/d/locust.html"})
    kept = adopt(made, "threads")
    assert kept.topology == "threads"
    assert kept.files == {"record": "cells/threads/cells.jsonl.gz", "locust_html": "cells/threads/c/d/locust.html"}
