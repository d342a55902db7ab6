"""The verdicts, computed from hand-written observations: what each check recognises, and how a
prevented anomaly was prevented (blocked, aborted, or a consistent read). No database."""

from __future__ import annotations

from racelab.isolation.anomalies import anomaly
from racelab.isolation.judge import judge
from racelab.isolation.model import Observation, Record, Rows, Step, commit, read_ids, read_where, rollback, update

START = {1: 10, 2: 20}


def ran(step: Step, rows: Rows | None = None, *, error: str | None = None, blocked_by: str = "") -> Record:
    """A step as it ran: what it read or wrote, the SQLSTATE it failed with, who blocked it."""
    return Record(
        step,
        rows=rows,
        error=error,
        message="could not serialize access" if error == "40001" else "",
        blocked=bool(blocked_by),
        blocked_by=[blocked_by] if blocked_by else [],
    )


def skipped(step: Step) -> Record:
    return Record(step, skipped=True)


def test_a_lost_update_is_seen_when_both_read_the_old_value_and_both_commit() -> None:
    observed = Observation(
        START,
        [
            ran(read_ids("T1", 1), {1: 10}),
            ran(read_ids("T2", 1), {1: 10}),
            ran(update("T1", 1, 11), {1: 11}),
            ran(update("T2", 1, 11), {1: 11}, blocked_by="T1"),
            ran(commit("T1")),
            ran(commit("T2")),
        ],
        {1: 11, 2: 20},
    )
    cell = judge(anomaly("P4"), "read committed", observed)
    assert cell.outcome == "anomaly" and "lost" in cell.detail
    assert cell.documented == "possible" and cell.as_documented


def test_a_lost_update_refused_by_the_database_is_blocked_then_aborted() -> None:
    observed = Observation(
        START,
        [
            ran(read_ids("T1", 1), {1: 10}),
            ran(read_ids("T2", 1), {1: 10}),
            ran(update("T1", 1, 11), {1: 11}),
            ran(update("T2", 1, 11), error="40001", blocked_by="T1"),
            ran(commit("T1")),
            skipped(commit("T2")),
        ],
        {1: 11, 2: 20},
    )
    cell = judge(anomaly("P4"), "repeatable read", observed)
    assert (cell.outcome, cell.how) == ("prevented", "blocked, aborted")
    assert "waited for T1's lock, then failed: 40001" in cell.detail
    assert cell.as_documented


def test_a_second_update_that_saw_the_first_is_no_lost_update() -> None:
    observed = Observation(
        START,
        [
            ran(read_ids("T1", 1), {1: 10}),
            ran(update("T1", 1, 11), {1: 11}),
            ran(commit("T1")),
            ran(read_ids("T2", 1), {1: 11}),
            ran(update("T2", 1, 12), {1: 12}),
            ran(commit("T2")),
        ],
        {1: 12, 2: 20},
    )
    assert judge(anomaly("P4"), "read committed", observed).how == "consistent read"


def aborted_read(seen: int) -> Observation:
    return Observation(
        START,
        [
            ran(update("T1", 1, 101), {1: 101}),
            ran(read_ids("T2", 1, 2), {1: seen, 2: 20}),
            ran(rollback("T1")),
            ran(commit("T2")),
        ],
        START,
    )


def test_reading_a_rolled_back_write_is_an_aborted_read() -> None:
    cell = judge(anomaly("G1a"), "read committed", aborted_read(101))
    assert cell.outcome == "anomaly" and not cell.as_documented
    assert "T2 read 1 => 101, which T1 wrote and then rolled back" in cell.detail
    clean = judge(anomaly("G1a"), "read committed", aborted_read(10))
    assert (clean.outcome, clean.how) == ("prevented", "consistent read")


def test_reading_a_value_its_writer_overwrote_is_an_intermediate_read() -> None:
    observed = Observation(
        START,
        [
            ran(update("T1", 1, 101), {1: 101}),
            ran(read_ids("T2", 1), {1: 101}),
            ran(update("T1", 1, 11), {1: 11}),
            ran(commit("T1")),
            ran(commit("T2")),
        ],
        {1: 11, 2: 20},
    )
    assert "overwrote with 11" in judge(anomaly("G1b"), "read committed", observed).detail


def circular(t1_saw: int, t2_saw: int, t2_commit_error: str | None = None) -> Observation:
    return Observation(
        START,
        [
            ran(update("T1", 1, 11), {1: 11}),
            ran(update("T2", 2, 22), {2: 22}),
            ran(read_ids("T1", 2), {2: t1_saw}),
            ran(read_ids("T2", 1), {1: t2_saw}),
            ran(commit("T1")),
            ran(commit("T2"), error=t2_commit_error),
        ],
        {1: 11, 2: 20 if t2_commit_error else 22},
    )


def test_information_flowing_both_ways_is_g1c_and_old_values_are_not() -> None:
    assert judge(anomaly("G1c"), "read committed", circular(22, 11)).outcome == "anomaly"
    assert judge(anomaly("G1c"), "read committed", circular(22, 10)).outcome == "prevented"  # one way only
    assert judge(anomaly("G1c"), "read committed", circular(20, 10)).how == "consistent read"
    assert judge(anomaly("G1c"), "serializable", circular(20, 10, "40001")).how == "aborted"


def dirty_write(final: Rows) -> Observation:
    return Observation(
        START,
        [
            ran(update("T1", 1, 11), {1: 11}),
            ran(update("T2", 1, 12), {1: 12}, blocked_by="T1"),
            ran(update("T1", 2, 21), {2: 21}),
            ran(commit("T1")),
            ran(update("T2", 2, 22), {2: 22}),
            ran(commit("T2")),
        ],
        final,
    )


def test_a_final_state_made_of_half_of_each_transaction_is_a_dirty_write() -> None:
    mixed = judge(anomaly("G0"), "read committed", dirty_write({1: 12, 2: 21}))
    assert mixed.outcome == "anomaly" and "1 => 12 from T2; 2 => 21 from T1" in mixed.detail
    serial = judge(anomaly("G0"), "read committed", dirty_write({1: 12, 2: 22}))
    assert (serial.outcome, serial.how) == ("prevented", "blocked")


def read_skew(second: int) -> Observation:
    return Observation(
        START,
        [
            ran(read_ids("T1", 1), {1: 10}),
            ran(update("T2", 1, 12), {1: 12}),
            ran(update("T2", 2, 18), {2: 18}),
            ran(commit("T2")),
            ran(read_ids("T1", 2), {2: second}),
            ran(commit("T1")),
        ],
        {1: 12, 2: 18},
    )


def test_reads_from_before_and_after_a_commit_are_read_skew() -> None:
    skew = judge(anomaly("G-single"), "read committed", read_skew(18))
    assert skew.outcome == "anomaly"
    assert "1 => 10 (before any commit)" in skew.detail and "2 => 18 (after T2 committed)" in skew.detail
    assert judge(anomaly("G-single"), "repeatable read", read_skew(20)).how == "consistent read"


def test_a_phantom_row_between_two_predicate_reads_is_pmp() -> None:
    def observed(second: Rows) -> Observation:
        thirty = read_where("T1", "value = 30", lambda row, value: value == 30)
        triple = read_where("T1", "value % 3 = 0", lambda row, value: value % 3 == 0)
        return Observation(
            START,
            [
                ran(thirty, {}),
                ran(Step("T2", "write", "insert 3 => 30"), {3: 30}),
                ran(commit("T2")),
                ran(triple, second),
                ran(commit("T1")),
            ],
            {**START, 3: 30},
        )

    assert judge(anomaly("PMP"), "read committed", observed({3: 30})).outcome == "anomaly"
    assert judge(anomaly("PMP"), "repeatable read", observed({})).outcome == "prevented"


def otv(reads: list[Rows]) -> Observation:
    records = [
        ran(update("T1", 1, 11), {1: 11}),
        ran(update("T1", 2, 19), {2: 19}),
        ran(commit("T1")),
        ran(update("T2", 1, 12), {1: 12}),
        ran(update("T2", 2, 18), {2: 18}),
        ran(commit("T2")),
    ]
    records += [ran(Step("T3", "read", "read all", where=lambda row, value: True), seen) for seen in reads]
    return Observation(START, [*records, ran(commit("T3"))], {1: 12, 2: 18})


def test_a_transaction_that_vanishes_from_a_later_read_is_otv() -> None:
    assert judge(anomaly("OTV"), "read committed", otv([{1: 11, 2: 19}, {1: 12, 2: 18}])).outcome == "prevented"
    half = judge(anomaly("OTV"), "read committed", otv([{1: 11, 2: 19}, {1: 12, 2: 19}]))
    assert half.outcome == "anomaly" and "part of one transaction's writes" in half.detail
    back = judge(anomaly("OTV"), "read committed", otv([{1: 12, 2: 18}, {1: 11, 2: 19}]))
    assert back.outcome == "anomaly" and "vanished" in back.detail


def write_skew(t2_commit_error: str | None) -> Observation:
    return Observation(
        START,
        [
            ran(read_ids("T1", 1, 2), {1: 10, 2: 20}),
            ran(read_ids("T2", 1, 2), {1: 10, 2: 20}),
            ran(update("T1", 1, 11), {1: 11}),
            ran(update("T2", 2, 21), {2: 21}),
            ran(commit("T1")),
            ran(commit("T2"), error=t2_commit_error),
        ],
        {1: 11, 2: 20 if t2_commit_error else 21},
    )


def test_write_skew_is_seen_unless_serializable_aborts_one() -> None:
    skew = judge(anomaly("G2-item"), "repeatable read", write_skew(None))
    assert skew.outcome == "anomaly" and "no serial order explains the reads" in skew.detail
    assert skew.as_documented  # PostgreSQL documents serialization anomalies at REPEATABLE READ
    held = judge(anomaly("G2-item"), "serializable", write_skew("40001"))
    assert (held.outcome, held.how) == ("prevented", "aborted")
    assert held.as_documented


def test_an_unexpected_error_makes_the_cell_unknown() -> None:
    observed = Observation(START, [ran(update("T1", 1, 11), error="55P03"), skipped(commit("T1"))], START)
    cell = judge(anomaly("P4"), "read committed", observed)
    assert cell.outcome == "unknown" and "55P03" in cell.detail and not cell.as_documented


def test_every_step_is_in_the_trace() -> None:
    trace = judge(anomaly("P4"), "repeatable read", write_skew("40001")).trace
    assert trace[-2:] == ["T2 commit: 40001 could not serialize access", "final state: 1 => 11, 2 => 20"]
