"""The counter checker on five-line histories."""

from racelab.checkers.counter import Op, check_counter


def ok(value: int, replica: str = "app-1", pid: int = 1) -> Op:
    return Op("ok", value, {"replica": replica, "pid": pid, "thread": "t"})


def test_unique_values_and_matching_final_hold() -> None:
    result = check_counter([ok(1), ok(2), ok(3)], initial=0, final=3)
    assert result.verdict == "holds"
    assert (result.acknowledged, result.duplicates, result.lost, result.anomalies) == (3, 0, 0, 0)


def test_duplicate_values_fail_with_evidence() -> None:
    history = [ok(1, "app-1", 10), ok(1, "app-2", 20), ok(2), ok(2), ok(2)]
    result = check_counter(history, initial=0, final=2)
    assert result.verdict == "fails"
    assert result.duplicates == 3  # value 1 once more, value 2 twice more
    assert result.lost == 3  # five acknowledged, final moved by two
    assert result.collisions[0] == {
        "value": 1,
        "served_by": [{"replica": "app-1", "pid": 10, "thread": "t"}, {"replica": "app-2", "pid": 20, "thread": "t"}],
    }


def test_lost_update_without_duplicates_fails() -> None:
    # Every caller got a distinct number, but the store only moved by one: an update was lost.
    result = check_counter([ok(1), ok(2)], initial=0, final=1)
    assert result.verdict == "fails"
    assert (result.duplicates, result.lost) == (0, 1)


def test_indeterminate_calls_widen_the_bound() -> None:
    # A timed-out call may have been applied: final may exceed the acknowledged count by one.
    history = [ok(1), ok(3), Op("info", error="timeout")]
    assert check_counter(history, initial=0, final=3).verdict == "holds"
    assert check_counter(history, initial=0, final=2).verdict == "holds"


def test_more_increments_than_attempts_fail() -> None:
    result = check_counter([ok(1), Op("fail", error="409")], initial=0, final=3)
    assert result.verdict == "fails"
    assert result.excess == 2


def test_definite_failures_do_not_count_as_possible_increments() -> None:
    result = check_counter([ok(1), Op("fail", error="409")], initial=0, final=1)
    assert (result.verdict, result.failed, result.indeterminate) == ("holds", 1, 0)


def test_unknown_without_final_value_or_acknowledgements() -> None:
    assert check_counter([ok(1)], initial=0, final=None).verdict == "unknown"
    result = check_counter([Op("info", error="502")], initial=0, final=0)
    assert result.verdict == "unknown"
    assert "no operation was acknowledged" in result.reason


def test_duplicates_fail_even_without_a_final_read() -> None:
    assert check_counter([ok(1), ok(1)], initial=None, final=None).verdict == "fails"


def test_nonzero_initial_value() -> None:
    assert check_counter([ok(11), ok(12)], initial=10, final=12).verdict == "holds"
