"""The signup checker on five-line histories: a name or two, a handful of sign-ups."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Op
from racelab.scenarios.signup.checker import ANOMALIES, check

NONE = dict.fromkeys(ANOMALIES, 0)


def ok(account: int, username: str, replica: str = "app-1", pid: int = 1) -> Op:
    return Op("register", {"username": username}, "ok", account, {"replica": replica, "pid": pid, "thread": "t"})


def taken(username: str) -> Op:
    return Op("register", {"username": username}, "fail", error="409 username_taken")


def info(username: str) -> Op:
    return Op("register", {"username": username}, "info", error="timeout")


def state(*accounts: tuple[int, str]) -> dict[str, Any]:
    return {"accounts": [list(row) for row in accounts]}


EMPTY = state()


def test_one_account_per_name_and_clean_refusals_hold() -> None:
    history = [ok(1, "alice"), taken("alice"), taken("alice"), ok(2, "bob")]
    result = check(history, EMPTY, state((1, "alice"), (2, "bob")))
    assert (result.verdict, result.anomalies, result.acknowledged, result.failed) == ("holds", NONE, 2, 2)


def test_two_accounts_for_one_name_fail_with_who_served_them() -> None:
    history = [ok(1, "alice", "app-1", 10), ok(2, "alice", "app-2", 20), ok(3, "alice", "app-2", 21), taken("alice")]
    result = check(history, EMPTY, state((1, "alice"), (2, "alice"), (3, "alice")))
    assert result.verdict == "fails"
    assert result.anomalies == {**NONE, "duplicate_rows": 2, "duplicate_acks": 1}
    assert result.evidence == [
        {
            "anomaly": "duplicate_rows",
            "username": "alice",
            "ids": [1, 2, 3],
            "of": 3,
            "served_by": [
                {"replica": "app-1", "pid": 10, "thread": "t"},
                {"replica": "app-2", "pid": 20, "thread": "t"},
                {"replica": "app-2", "pid": 21, "thread": "t"},
            ],
        }
    ]
    assert "2 duplicate account(s)" in result.reason and "1 username(s) acknowledged" in result.reason


def test_two_people_told_they_own_a_name_fail_even_when_one_row_vanished() -> None:
    result = check([ok(1, "alice"), ok(2, "alice")], EMPTY, state((1, "alice")))
    assert result.anomalies == {**NONE, "duplicate_acks": 1, "lost": 1}
    assert result.evidence[0]["anomaly"] == "duplicate_acks" and result.evidence[0]["ids"] == [1, 2]


def test_a_duplicate_row_nobody_was_told_about_is_still_a_duplicate() -> None:
    # The second insert's caller got a 5xx: one acknowledgement, but two rows for the name.
    result = check([ok(1, "alice"), info("alice")], EMPTY, state((1, "alice"), (2, "alice")))
    assert result.anomalies == {**NONE, "duplicate_rows": 1}
    assert result.evidence[0]["served_by"][1] == {"acknowledged": False}


def test_acknowledged_accounts_must_be_stored_under_the_name_asked() -> None:
    missing = check([ok(1, "alice"), ok(2, "bob")], EMPTY, state((1, "alice")))
    assert missing.anomalies == {**NONE, "lost": 1}
    assert missing.evidence[0] == {
        "anomaly": "lost",
        "account": 2,
        "asked": "bob",
        "stored": None,
        "served_by": [{"replica": "app-1", "pid": 1, "thread": "t"}],
    }
    renamed = check([ok(1, "alice")], EMPTY, state((1, "alicia")))
    assert renamed.anomalies == {**NONE, "lost": 1}
    assert renamed.evidence[0]["stored"] == "alicia"


def test_one_id_acknowledged_twice_is_one_account_for_two_callers() -> None:
    result = check([ok(1, "alice"), ok(1, "alice")], EMPTY, state((1, "alice")))
    assert result.anomalies == {**NONE, "lost": 1}


def test_rows_nobody_acknowledged_are_phantoms_unless_an_indeterminate_call_asked_for_them() -> None:
    final = state((1, "alice"), (2, "bob"))
    assert check([ok(1, "alice")], EMPTY, final).anomalies == {**NONE, "phantom": 1}
    assert check([ok(1, "alice"), info("carol")], EMPTY, final).anomalies == {**NONE, "phantom": 1}
    result = check([ok(1, "alice"), info("bob")], EMPTY, final)
    assert (result.verdict, result.indeterminate) == ("holds", 1)
    assert "1 indeterminate call(s) within bounds" in result.reason


def test_an_indeterminate_call_may_also_not_have_happened() -> None:
    assert check([ok(1, "alice"), info("bob")], EMPTY, state((1, "alice"))).verdict == "holds"


def test_accounts_from_before_the_run_are_not_the_runs() -> None:
    start = state((7, "alice"), (8, "bob"), (9, "bob"))  # bob's duplicate is older than this run
    result = check([ok(10, "carol"), taken("alice")], start, state((7, "alice"), (8, "bob"), (9, "bob"), (10, "carol")))
    assert (result.verdict, result.anomalies) == ("holds", NONE)
    again = check([ok(10, "alice")], start, state((7, "alice"), (8, "bob"), (9, "bob"), (10, "alice")))
    assert again.anomalies == {**NONE, "duplicate_rows": 1}  # alice was taken before the run


def test_without_both_states_or_an_acknowledged_call_nothing_can_be_said() -> None:
    final = state((1, "alice"))
    assert check([ok(1, "alice")], None, final).verdict == "unknown"
    assert check([ok(1, "alice")], EMPTY, {"accounts": "garbled"}).verdict == "unknown"
    assert check([ok(1, "alice")], EMPTY, None).verdict == "unknown"
    result = check([taken("alice"), info("bob")], EMPTY, EMPTY)
    assert (result.verdict, result.failed, result.indeterminate) == ("unknown", 1, 1)


def test_what_the_final_state_alone_shows_fails_even_without_the_initial_one() -> None:
    result = check([ok(1, "alice"), ok(2, "alice")], None, state((1, "alice"), (2, "alice")))
    assert (result.verdict, result.anomalies["duplicate_rows"]) == ("fails", 1)


def test_evidence_is_capped() -> None:
    history = [ok(i, f"user{i}") for i in range(1, 11)]
    result = check(history, EMPTY, EMPTY, max_examples=3)
    assert result.anomalies["lost"] == 10 and len(result.evidence) == 3
