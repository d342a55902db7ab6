"""Set-style accounting on hand-made histories: lost and unexplained rows."""

from __future__ import annotations

from racelab.core.accounting import acknowledged_ids, as_id, unaccounted, unexplained
from racelab.core.history import Op


def ok(ident: object, name: str) -> Op:
    return Op("register", {"username": name}, "ok", ident)


def info(name: str) -> Op:
    return Op("register", {"username": name}, "info", error="timeout")


def asked(op: Op) -> str | None:
    name = op.args.get("username")
    return name if isinstance(name, str) else None


def test_an_id_is_an_int_and_not_a_bool() -> None:
    assert (as_id(3), as_id(True), as_id("3"), as_id(None)) == (3, None, None, None)
    assert set(acknowledged_ids([ok(1, "a"), ok(True, "b"), info("c")])) == {1}


def test_lost_rows_missing_stored_otherwise_or_told_twice() -> None:
    history = [ok(1, "a"), ok(2, "b"), ok(3, "c"), ok(1, "a")]
    stored = {1: "a", 2: "x"}
    missing = unaccounted(history, stored, asked)
    assert [(op.value, recorded) for op, recorded in missing] == [(2, "x"), (3, None), (1, "a")]
    # replays share an id: told twice is not lost then
    assert [op.value for op, _ in unaccounted(history, stored, asked, once=False)] == [2, 3]


def test_new_rows_are_explained_by_acknowledged_or_indeterminate_calls_only() -> None:
    history = [ok(1, "a"), info("b"), Op("register", {"username": "c"}, "fail", error="409 taken")]
    new_rows = {1: "a", 2: "b", 3: "b", 4: "c"}
    assert unexplained(new_rows, history, asked) == {"b": 1, "c": 1}  # one b may be the timed-out call
