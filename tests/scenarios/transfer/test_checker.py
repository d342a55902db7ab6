"""The transfer checker on five-line histories: two or three accounts, a handful of transfers."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Op
from racelab.scenarios.transfer.checker import ANOMALIES, check

NONE = dict.fromkeys(ANOMALIES, 0)


def ok(tid: int, source: int, target: int, amount: int, replica: str = "app-1", pid: int = 1) -> Op:
    args = {"from": source, "to": target, "amount": amount}
    return Op("transfer", args, "ok", tid, {"replica": replica, "pid": pid, "thread": "t"})


def info(source: int, target: int, amount: int) -> Op:
    return Op("transfer", {"from": source, "to": target, "amount": amount}, "info", error="timeout")


def refused(source: int, target: int, amount: int) -> Op:
    return Op("transfer", {"from": source, "to": target, "amount": amount}, "fail", error="409 insufficient_funds")


def state(balances: dict[int, int], *ledger: tuple[int, int, int, int]) -> dict[str, Any]:
    return {"balances": {str(k): v for k, v in balances.items()}, "ledger": [list(row) for row in ledger]}


START = state({1: 100, 2: 100, 3: 100})


def test_transfers_that_add_up_hold() -> None:
    history = [ok(1, 1, 2, 10), ok(2, 2, 3, 30), refused(3, 1, 500)]
    result = check(history, START, state({1: 90, 2: 80, 3: 130}, (1, 1, 2, 10), (2, 2, 3, 30)))
    assert (result.verdict, result.anomalies, result.acknowledged, result.failed) == ("holds", NONE, 2, 1)


def test_a_lost_update_that_conserves_the_total_is_still_caught() -> None:
    # 1 -> 2 (10) and 2 -> 1 (5) both read 100/100; the second to commit wrote 105/95 over 90/110.
    history = [ok(1, 1, 2, 10), ok(2, 2, 1, 5, "app-2", 2)]
    result = check(history, START, state({1: 105, 2: 95, 3: 100}, (1, 1, 2, 10), (2, 2, 1, 5)))
    assert result.verdict == "fails"
    assert result.anomalies == {**NONE, "mismatched": 2}  # the total is intact: only the ledger tells
    assert result.evidence[0] == {
        "anomaly": "mismatched",
        "account": 1,
        "expected": 95,
        "actual": 105,
        "transfers": [[1, 1, 2, 10], [2, 2, 1, 5]],
        "of": 2,
        "served_by": [{"replica": "app-1", "pid": 1, "thread": "t"}, {"replica": "app-2", "pid": 2, "thread": "t"}],
    }


def test_a_lost_credit_destroys_money() -> None:
    history = [ok(1, 1, 2, 10), ok(2, 3, 2, 7)]
    result = check(history, START, state({1: 90, 2: 110, 3: 93}, (1, 1, 2, 10), (2, 3, 2, 7)))
    assert result.anomalies == {**NONE, "imbalance": 7, "mismatched": 1}
    assert "7 of money created or destroyed" in result.reason


def test_an_overdraft_fails_even_when_the_books_balance() -> None:
    start = state({1: 10, 2: 0})
    history = [ok(1, 1, 2, 10), ok(2, 1, 2, 10)]  # both saw 10 in account 1
    result = check(history, start, state({1: -10, 2: 20}, (1, 1, 2, 10), (2, 1, 2, 10)))
    assert result.anomalies == {**NONE, "overdrawn": 1}
    assert result.evidence == [{"anomaly": "overdrawn", "account": 1, "balance": -10}]


def test_acknowledged_transfers_must_be_in_the_ledger_as_asked() -> None:
    missing = check([ok(1, 1, 2, 10), ok(2, 2, 3, 5)], START, state({1: 90, 2: 110, 3: 100}, (1, 1, 2, 10)))
    assert missing.anomalies == {**NONE, "lost": 1}
    assert missing.evidence[0]["transfer"] == 2 and missing.evidence[0]["recorded"] is None
    altered = check([ok(1, 1, 2, 10)], START, state({1: 80, 2: 120, 3: 100}, (1, 1, 2, 20)))
    assert altered.anomalies == {**NONE, "lost": 1}


def test_one_id_acknowledged_twice_is_one_transfer_lost() -> None:
    result = check([ok(1, 1, 2, 10), ok(1, 1, 2, 10)], START, state({1: 90, 2: 110, 3: 100}, (1, 1, 2, 10)))
    assert result.anomalies == {**NONE, "lost": 1}


def test_rows_nobody_acknowledged_are_phantoms_unless_an_indeterminate_call_asked_for_them() -> None:
    final = state({1: 90, 2: 105, 3: 105}, (1, 1, 2, 10), (2, 2, 3, 5))
    assert check([ok(1, 1, 2, 10)], START, final).anomalies == {**NONE, "phantom": 1}
    assert check([ok(1, 1, 2, 10), info(2, 3, 6)], START, final).anomalies == {**NONE, "phantom": 1}
    result = check([ok(1, 1, 2, 10), info(2, 3, 5)], START, final)
    assert (result.verdict, result.indeterminate) == ("holds", 1)
    assert "1 indeterminate call(s) within bounds" in result.reason


def test_an_indeterminate_call_may_also_not_have_happened() -> None:
    result = check([ok(1, 1, 2, 10), info(2, 3, 5)], START, state({1: 90, 2: 110, 3: 100}, (1, 1, 2, 10)))
    assert result.verdict == "holds"


def test_rows_from_before_the_run_are_not_the_runs() -> None:
    start = state({1: 90, 2: 110}, (7, 1, 2, 10))
    result = check([ok(8, 2, 1, 10)], start, state({1: 100, 2: 100}, (7, 1, 2, 10), (8, 2, 1, 10)))
    assert (result.verdict, result.anomalies) == ("holds", NONE)


def test_without_both_states_or_an_acknowledged_call_nothing_can_be_said() -> None:
    final = state({1: 90, 2: 110, 3: 100}, (1, 1, 2, 10))
    assert check([ok(1, 1, 2, 10)], None, final).verdict == "unknown"
    assert check([ok(1, 1, 2, 10)], START, {"balances": "garbled"}).verdict == "unknown"
    assert check([refused(1, 2, 500), info(1, 2, 5)], START, START).verdict == "unknown"


def test_what_the_final_state_alone_shows_fails_even_without_the_initial_one() -> None:
    result = check([ok(1, 1, 2, 10)], None, state({1: 90, 2: 110}))
    assert (result.verdict, result.anomalies["lost"]) == ("fails", 1)


def test_evidence_is_capped() -> None:
    history = [ok(i, 1, 2, 1) for i in range(1, 11)]
    result = check(history, START, START, max_examples=3)
    assert result.anomalies["lost"] == 10 and len(result.evidence) == 3
