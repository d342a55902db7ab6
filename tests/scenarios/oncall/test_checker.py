"""The oncall checker on hand-written histories: a shift left uncovered, acknowledged requests the
state does not reflect, and changes nobody asked for."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Op
from racelab.scenarios.oncall.checker import check

A = {"replica": "app-1", "pid": 11, "thread": "0_0"}
B = {"replica": "app-2", "pid": 22, "thread": "0_1"}
START: dict[str, Any] = {"doctors": 2, "shifts": {}}


def ok(doctor: int, change: int, shift: int = 0, served: dict[str, Any] = A) -> Op:
    return Op("off-call", {"shift": shift, "doctor": doctor}, "ok", change, served_by=served)


def refused(doctor: int, shift: int = 0) -> Op:
    return Op("off-call", {"shift": shift, "doctor": doctor}, "fail", error="409 last_on_call")


def unsure(doctor: int, shift: int = 0) -> Op:
    return Op("off-call", {"shift": shift, "doctor": doctor}, "info", error="503 postgres_unavailable")


def state(shifts: dict[int, tuple[list[int], list[list[int]]]], doctors: int = 2) -> dict[str, Any]:
    return {
        "doctors": doctors,
        "shifts": {str(s): {"off_call": off, "changes": changes} for s, (off, changes) in shifts.items()},
    }


def test_one_let_go_and_the_last_one_refused_holds() -> None:
    result = check([ok(0, 7), refused(1)], START, state({0: ([0], [[7, 0]])}))
    assert result.verdict == "holds" and result.total == 0
    assert (result.acknowledged, result.failed) == (1, 1)


def test_both_doctors_let_go_leaves_the_shift_uncovered() -> None:
    result = check([ok(0, 7, served=A), ok(1, 8, served=B)], START, state({0: ([0, 1], [[7, 0], [8, 1]])}))
    assert result.verdict == "fails" and result.anomalies == {"uncovered": 1, "lost": 0, "phantom": 0}
    example = result.evidence[0]
    assert (example["anomaly"], example["shift"], example["let_go"], example["refused"]) == ("uncovered", 0, 2, 0)
    assert [s["doctor"] for s in example["served_by"]] == [0, 1]


def test_a_shift_already_uncovered_before_the_run_is_not_the_run_s_doing() -> None:
    before = state({0: ([0, 1], [[1, 0], [2, 1]])})
    assert check([refused(0)], before, before).anomalies["uncovered"] == 0


def test_an_acknowledged_doctor_still_on_call_or_without_the_change_is_lost() -> None:
    still_on_call = check([ok(0, 7)], START, state({0: ([], [[7, 0]])}))
    assert still_on_call.anomalies["lost"] == 1
    no_change = check([ok(0, 7)], START, state({0: ([0], [])}))
    assert no_change.anomalies["lost"] == 1
    other_doctor = check([ok(0, 7)], START, state({0: ([0], [[7, 1]])}))
    assert other_doctor.anomalies["lost"] == 1 and other_doctor.evidence[0]["stored"] == [0, 1]


def test_changes_nobody_asked_for_are_phantoms_unless_an_indeterminate_call_explains_them() -> None:
    phantom = check([refused(0)], START, state({0: ([0], [[7, 0]])}))
    assert phantom.anomalies["phantom"] == 1
    explained = check([unsure(0), refused(1)], START, state({0: ([0], [[7, 0]])}))
    assert explained.anomalies["phantom"] == 0
    silent = check([refused(1)], START, state({0: ([0], [])}))  # off call, and no change recorded
    assert silent.anomalies["phantom"] == 1 and silent.evidence[0]["off_call_without_change"] is True


def test_an_unreadable_state_or_nothing_acknowledged_is_unknown() -> None:
    assert check([ok(0, 7)], START, None).verdict == "unknown"
    assert check([ok(0, 7)], START, {"doctors": 2}).verdict == "unknown"
    assert check([refused(0), refused(1)], START, START).verdict == "unknown"
