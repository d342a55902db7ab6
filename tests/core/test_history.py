"""The history format: classification of answers, concurrency, and saving and loading it."""

from __future__ import annotations

from pathlib import Path

from racelab.core.history import Call, Op, classify, counts, max_in_flight, read_jsonl, unanswered, write_jsonl

CALL = Call("buy", {"product": 3})


def test_a_2xx_with_a_value_is_acknowledged_with_its_costs() -> None:
    op = classify(
        CALL,
        200,
        {"value": 7, "served_by": {"replica": "app-1"}},
        {"X-Racelab-Retries": "2", "X-Racelab-Wait-Ms": "1.5", "X-Racelab-Deadlocks": "1"},
        1.0,
        1.1,
        4,
    )
    assert (op.status, op.value, op.retries, op.wait_ms, op.deadlocks, op.burst) == ("ok", 7, 2, 1.5, 1, 4)
    assert (op.op, op.args) == ("buy", {"product": 3})


def test_a_4xx_was_not_applied_and_a_5xx_or_no_answer_may_have_been() -> None:
    assert classify(CALL, 409, {"error": "sold_out"}).status == "fail"
    assert classify(CALL, 409, {"error": "sold_out"}).error == "409 sold_out"
    assert classify(CALL, 502, {"error": "bad_gateway"}).status == "info"
    assert classify(CALL, 200, {"no": "value"}).status == "info"  # a 2xx without the contract's value
    assert classify(CALL, 0, None).error == "no answer"
    assert unanswered(CALL, 1.0, 0, "cut off").status == "info"


def test_max_in_flight_counts_overlapping_calls() -> None:
    ops = [
        Op("next", {}, "ok", 1, sent=0.0, answered=1.0),
        Op("next", {}, "ok", 2, sent=0.5, answered=1.5),
        Op("next", {}, "ok", 3, sent=1.0, answered=2.0),
        Op("next", {}, "info", sent=3.0),
    ]
    assert max_in_flight(ops) == 2  # an answer at the same instant as a send is counted first
    assert max_in_flight(ops[:1]) == 1 and max_in_flight([]) == 0


def test_counts() -> None:
    ops = [Op("next", {}, "ok", 1), Op("next", {}, "fail"), Op("next", {}, "info"), Op("next", {}, "ok", 2)]
    assert counts(ops) == {"attempted": 4, "acknowledged": 2, "failed": 1, "indeterminate": 1}


def test_saved_and_loaded_alike_plain_or_gzipped(tmp_path: Path) -> None:
    ops = [
        classify(CALL, 200, {"value": 1, "served_by": {"replica": "app-2", "pid": 9, "thread": "t"}}, {}, 1.0, 2.0, 0),
        classify(CALL, 409, {"error": "sold_out"}, {}, 1.5, 2.5, 0),
        unanswered(CALL, 3.0, 1, "timeout"),
    ]
    for name in ("h.jsonl", "h.jsonl.gz"):
        write_jsonl(tmp_path / name, ops)
        assert list(read_jsonl(tmp_path / name)) == ops
    assert (tmp_path / "h.jsonl.gz").stat().st_size < (tmp_path / "h.jsonl").stat().st_size + 40
