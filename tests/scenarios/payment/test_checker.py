"""The payment checker on five-line histories: a key or two, three copies of a payment."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Op
from racelab.scenarios.payment.checker import ANOMALIES, check

NONE = dict.fromkeys(ANOMALIES, 0)


def ok(payment: int, amount: int, replica: str = "app-1", pid: int = 1) -> Op:
    return Op("charge", {"amount": amount}, "ok", payment, {"replica": replica, "pid": pid, "thread": "t"})


def refused(amount: int) -> Op:
    return Op("charge", {"amount": amount}, "fail", error="422 idempotency_key_reused")


def info(amount: int) -> Op:
    return Op("charge", {"amount": amount}, "info", error="timeout")


def state(*payments: tuple[int, str | None, int]) -> dict[str, Any]:
    return {"payments": [list(row) for row in payments]}


EMPTY = state()


def test_one_charge_per_key_replayed_to_every_copy_holds() -> None:
    history = [ok(1, 500), ok(1, 500), ok(1, 500), ok(2, 700), refused(900)]
    result = check(history, EMPTY, state((1, "k1", 500), (2, "k2", 700)))
    assert (result.verdict, result.anomalies, result.acknowledged, result.failed) == ("holds", NONE, 4, 1)
    assert "one charge per key" in result.reason


def test_every_retry_charged_again_fails_with_who_served_the_copies() -> None:
    history = [ok(1, 500, "app-1", 10), ok(2, 500, "app-2", 20), ok(3, 500, "app-3", 30)]
    result = check(history, EMPTY, state((1, "k1", 500), (2, "k1", 500), (3, "k1", 500)))
    assert result.verdict == "fails"
    assert result.anomalies == {**NONE, "duplicate_charges": 2, "conflicting_answers": 1}
    assert result.evidence == [
        {
            "anomaly": "duplicate_charges",
            "key": "k1",
            "ids": [1, 2, 3],
            "of": 3,
            "served_by": [
                {"replica": "app-1", "pid": 10, "thread": "t"},
                {"replica": "app-2", "pid": 20, "thread": "t"},
                {"replica": "app-3", "pid": 30, "thread": "t"},
            ],
        }
    ]


def test_a_replay_lists_every_caller_it_answered() -> None:
    # Two copies overlapped and both charged; the third came later and replayed the first charge.
    history = [ok(1, 500, "app-1"), ok(2, 500, "app-2"), ok(1, 500, "app-3")]
    result = check(history, EMPTY, state((1, "k1", 500), (2, "k1", 500)))
    assert result.anomalies == {**NONE, "duplicate_charges": 1, "conflicting_answers": 1}
    assert [s["replica"] for s in result.evidence[0]["served_by"]] == ["app-1", "app-3", "app-2"]


def test_a_second_charge_nobody_was_told_about_is_still_a_duplicate() -> None:
    # The copy that charged again got a 5xx: every caller was told payment 1, yet the card was hit twice.
    result = check([ok(1, 500), ok(1, 500), info(500)], EMPTY, state((1, "k1", 500), (2, "k1", 500)))
    assert result.anomalies == {**NONE, "duplicate_charges": 1}
    assert result.evidence[0]["served_by"][-1] == {"acknowledged": False}


def test_charges_without_a_key_cannot_be_grouped_and_are_never_duplicates() -> None:
    result = check([ok(1, 500), ok(2, 500)], EMPTY, state((1, None, 500), (2, None, 500)))
    assert (result.verdict, result.anomalies) == ("holds", NONE)


def test_acknowledged_payments_must_be_in_the_final_state_with_the_amount_asked() -> None:
    missing = check([ok(1, 500), ok(2, 700)], EMPTY, state((1, "k1", 500)))
    assert missing.anomalies == {**NONE, "lost": 1}
    assert missing.evidence[0] == {
        "anomaly": "lost",
        "payment": 2,
        "asked": {"amount": 700},
        "recorded": None,
        "served_by": [{"replica": "app-1", "pid": 1, "thread": "t"}],
    }
    altered = check([ok(1, 500)], EMPTY, state((1, "k1", 600)))
    assert altered.anomalies == {**NONE, "lost": 1}
    assert altered.evidence[0]["recorded"] == ["k1", 600]


def test_a_replay_of_a_charge_made_before_the_run_is_not_lost() -> None:
    start = state((7, "k1", 500))
    result = check([ok(7, 500), ok(7, 500)], start, start)
    assert (result.verdict, result.anomalies) == ("holds", NONE)
    again = check([ok(8, 500)], start, state((7, "k1", 500), (8, "k1", 500)))
    assert again.anomalies == {**NONE, "duplicate_charges": 1}  # k1 was charged before the run


def test_charges_nobody_acknowledged_are_phantoms_unless_an_indeterminate_call_asked_for_them() -> None:
    final = state((1, "k1", 500), (2, "k2", 700))
    assert check([ok(1, 500)], EMPTY, final).anomalies == {**NONE, "phantom": 1}
    assert check([ok(1, 500), info(800)], EMPTY, final).anomalies == {**NONE, "phantom": 1}
    result = check([ok(1, 500), info(700)], EMPTY, final)
    assert (result.verdict, result.indeterminate) == ("holds", 1)
    assert "1 indeterminate call(s) within bounds" in result.reason


def test_an_indeterminate_call_may_also_not_have_happened() -> None:
    assert check([ok(1, 500), info(700)], EMPTY, state((1, "k1", 500))).verdict == "holds"


def test_without_both_states_or_an_acknowledged_call_nothing_can_be_said() -> None:
    final = state((1, "k1", 500))
    assert check([ok(1, 500)], None, final).verdict == "unknown"
    assert check([ok(1, 500)], EMPTY, {"payments": [[1, "k1"]]}).verdict == "unknown"
    assert check([ok(1, 500)], EMPTY, None).verdict == "unknown"
    result = check([refused(500), info(500)], EMPTY, EMPTY)
    assert (result.verdict, result.failed, result.indeterminate) == ("unknown", 1, 1)


def test_what_the_final_state_alone_shows_fails_even_without_the_initial_one() -> None:
    result = check([ok(1, 500), ok(2, 500)], None, state((1, "k1", 500), (2, "k1", 500)))
    assert (result.verdict, result.anomalies["duplicate_charges"]) == ("fails", 1)


def test_evidence_is_capped() -> None:
    history = [ok(i, 500) for i in range(1, 11)]
    result = check(history, EMPTY, EMPTY, max_examples=3)
    assert result.anomalies["lost"] == 10 and len(result.evidence) == 3
