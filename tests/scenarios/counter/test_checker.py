"""The counter checker on five-line histories."""

from racelab.core.history import Op
from racelab.scenarios.counter.checker import check


def ok(value: int, replica: str = "app-1", pid: int = 1) -> Op:
    return Op("next", {}, "ok", value, {"replica": replica, "pid": pid, "thread": "t"})


def info() -> Op:
    return Op("next", {}, "info", error="timeout")


def state(value: int) -> dict[str, int]:
    return {"value": value}


def test_unique_values_and_matching_final_hold() -> None:
    result = check([ok(1), ok(2), ok(3)], state(0), state(3))
    assert result.verdict == "holds"
    assert (result.acknowledged, result.anomalies, result.total) == (3, {"duplicates": 0, "lost": 0, "excess": 0}, 0)


def test_duplicate_values_fail_with_evidence() -> None:
    history = [ok(1, "app-1", 10), ok(1, "app-2", 20), ok(2), ok(2), ok(2)]
    result = check(history, state(0), state(2))
    assert result.verdict == "fails"
    assert result.anomalies["duplicates"] == 3  # value 1 once more, value 2 twice more
    assert result.anomalies["lost"] == 3  # five acknowledged, final moved by two
    assert result.evidence[0] == {
        "value": 1,
        "served_by": [{"replica": "app-1", "pid": 10, "thread": "t"}, {"replica": "app-2", "pid": 20, "thread": "t"}],
    }


def test_lost_update_without_duplicates_fails() -> None:
    # Every caller got a distinct number, but the store only moved by one: an update was lost.
    result = check([ok(1), ok(2)], state(0), state(1))
    assert result.verdict == "fails"
    assert (result.anomalies["duplicates"], result.anomalies["lost"]) == (0, 1)


def test_indeterminate_calls_widen_the_bound() -> None:
    # A timed-out call may have been applied: final may exceed the acknowledged count by one.
    history = [ok(1), ok(3), info()]
    assert check(history, state(0), state(3)).verdict == "holds"
    assert check(history, state(0), state(2)).verdict == "holds"
    result = check(history, state(0), state(4))
    assert result.verdict == "fails" and result.anomalies["excess"] == 1


def test_refused_calls_are_not_counted_as_increments() -> None:
    history = [ok(1), Op("next", {}, "fail", error="409 retries_exhausted")]
    result = check(history, state(0), state(1))
    assert (result.verdict, result.failed) == ("holds", 1)


def test_unreadable_state_or_nothing_acknowledged_is_unknown() -> None:
    assert check([ok(1)], None, state(1)).verdict == "unknown"
    assert check([info(), info()], state(0), state(0)).verdict == "unknown"


def test_a_duplicate_fails_even_when_the_state_cannot_be_read() -> None:
    assert check([ok(1), ok(1)], state(0), None).verdict == "fails"


def test_evidence_is_capped() -> None:
    history = [ok(v) for v in range(1, 11) for _ in range(2)]
    result = check(history, state(0), state(20), max_examples=3)
    assert len(result.evidence) == 3 and result.anomalies["duplicates"] == 10
