"""The cart checker on five-line histories: a few items, one session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from racelab.core.history import Op, read_jsonl, write_jsonl
from racelab.scenarios.cart.checker import ANOMALIES, check

NONE = dict.fromkeys(ANOMALIES, 0)


def ok(item: str, size: int = 1, burst: int | None = 0, replica: str = "app-1") -> Op:
    served = {"replica": replica, "pid": 1, "thread": "t"}
    return Op("add", {"item": item}, "ok", size, served, burst=burst, cookies={"session": f"cart-{item}"})


def refused(item: str) -> Op:
    return Op("add", {"item": item}, "fail", error="409 cookie_full")


def info(item: str) -> Op:
    return Op("add", {"item": item}, "info", error="502 bad_gateway")


def cart(*items: str) -> dict[str, Any]:
    return {"items": list(items)}


EMPTY = cart()


def test_every_acknowledged_item_in_the_cart_holds() -> None:
    result = check([ok("a", 1), ok("b", 2), ok("c", 3)], EMPTY, cart("a", "b", "c"))
    assert (result.verdict, result.anomalies, result.acknowledged) == ("holds", NONE, 3)


def test_items_overwritten_by_the_last_cookie_are_lost_with_the_burst_and_what_it_kept() -> None:
    history = [ok("b0-0", replica="app-1"), ok("b0-1", replica="app-2"), ok("b0-2"), ok("b1-0", burst=1)]
    result = check(history, EMPTY, cart("b0-2", "b1-0"))
    assert result.verdict == "fails" and result.anomalies == {**NONE, "lost": 2}
    assert result.evidence == [
        {
            "anomaly": "lost",
            "burst": 0,
            "items": ["b0-0", "b0-1"],
            "of": 2,
            "kept": ["b0-2"],
            "served_by": [{"replica": "app-1", "pid": 1, "thread": "t"}, {"replica": "app-2", "pid": 1, "thread": "t"}],
        }
    ]
    assert "2 acknowledged item(s) missing from the final cart" in result.reason


def test_an_item_nobody_sent_or_only_a_refused_call_sent_is_a_phantom() -> None:
    result = check([ok("a"), refused("b")], EMPTY, cart("a", "b", "z"))
    assert result.anomalies == {**NONE, "phantom": 2}
    assert result.evidence == [{"anomaly": "phantom", "items": ["b", "z"], "of": 2}]


def test_indeterminate_items_may_or_may_not_be_there_and_earlier_items_stay_explained() -> None:
    for final in (cart("old", "a"), cart("old", "a", "maybe")):
        result = check([ok("a"), info("maybe")], cart("old"), final)
        assert (result.verdict, result.anomalies, result.indeterminate) == ("holds", NONE, 1)


def test_an_item_sent_twice_is_one_item() -> None:
    assert check([ok("a", 1), ok("a", 1)], EMPTY, cart("a")).verdict == "holds"


def test_an_unreadable_cart_or_no_acknowledged_item_is_unknown() -> None:
    assert check([ok("a")], EMPTY, None).verdict == "unknown"
    assert check([ok("a")], {"items": "a"}, cart("a")).verdict == "unknown"
    assert check([refused("a")], EMPTY, EMPTY).verdict == "unknown"


def test_a_saved_history_keeps_its_cookies_and_judges_the_same(tmp_path: Path) -> None:
    """What racelab check does with a report's record: the history comes back whole."""
    history = [ok("b0-0"), ok("b0-1"), info("b0-2"), refused("b0-3")]
    write_jsonl(tmp_path / "history.jsonl.gz", history)
    again = list(read_jsonl(tmp_path / "history.jsonl.gz"))
    assert again == history and again[0].cookies == {"session": "cart-b0-0"}
    assert check(again, EMPTY, cart("b0-1")) == check(history, EMPTY, cart("b0-1"))
