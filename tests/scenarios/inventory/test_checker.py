"""The inventory checker on five-line histories."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Op
from racelab.scenarios.inventory.checker import check


def ok(order: int, product: int = 0, replica: str = "app-1", pid: int = 1, thread: str = "t") -> Op:
    return Op("buy", {"product": product}, "ok", order, {"replica": replica, "pid": pid, "thread": thread})


def sold_out(product: int = 0) -> Op:
    return Op("buy", {"product": product}, "fail", error="409 sold_out")


def info(product: int = 0) -> Op:
    return Op("buy", {"product": product}, "info", error="timeout")


def state(stock_per_product: int = 2, **products: tuple[int, list[int]]) -> dict[str, Any]:
    """``state(2, p0=(0, [1, 2]))``: product 0 at stock 0 with orders 1 and 2."""
    return {
        "stock_per_product": stock_per_product,
        "products": {name[1:]: {"stock": stock, "orders": orders} for name, (stock, orders) in products.items()},
    }


NONE = {"oversold": 0, "lost": 0, "phantom": 0}


def test_selling_exactly_the_stock_and_refusing_the_rest_holds() -> None:
    history = [ok(1), ok(2), sold_out(), sold_out()]
    result = check(history, state(2), state(2, p0=(0, [1, 2])))
    assert result.verdict == "holds", result.reason
    assert (result.acknowledged, result.failed, result.anomalies) == (2, 2, NONE)


def test_orders_beyond_the_stock_and_stock_below_zero_are_an_oversell() -> None:
    history = [ok(1, pid=1), ok(2, pid=2), ok(3, pid=1), ok(4, pid=2, thread="u")]
    result = check(history, state(2), state(2, p0=(-2, [1, 2, 3, 4])))
    assert result.verdict == "fails"
    assert result.anomalies == {"oversold": 2, "lost": 0, "phantom": 0}
    assert result.evidence == [
        {
            "product": 0,
            "stock": 2,
            "acknowledged": 4,
            "refused": 0,
            "indeterminate": 0,
            "final_stock": -2,
            "final_orders": 4,
            "oversold": 2,
            # One thread per process first: the first entries show how far the sales spread.
            "served_by": [
                {"replica": "app-1", "pid": 1, "thread": "t", "sales": 2},
                {"replica": "app-1", "pid": 2, "thread": "t", "sales": 1},
                {"replica": "app-1", "pid": 2, "thread": "u", "sales": 1},
            ],
        }
    ]


def test_an_oversell_is_seen_from_either_state_alone() -> None:
    history = [ok(1), ok(2), ok(3)]
    # Three sales acknowledged for two items: the initial state is enough.
    only_initial = check(history, state(2), None)
    assert (only_initial.verdict, only_initial.anomalies["oversold"]) == ("fails", 1)
    # Stock below zero: the final state is enough.
    only_final = check(history, None, state(2, p0=(-1, [1, 2, 3])))
    assert (only_final.verdict, only_final.anomalies["oversold"]) == ("fails", 1)


def test_an_absolute_write_loses_a_sale_without_overselling() -> None:
    # Two buyers both read 2 and both wrote 1: two orders, one decrement.
    result = check([ok(1), ok(2)], state(2), state(2, p0=(1, [1, 2])))
    assert result.verdict == "fails"
    assert result.anomalies == {"oversold": 0, "lost": 1, "phantom": 0}


def test_a_missing_order_row_is_lost_and_counted_once_when_its_decrement_is_missing_too() -> None:
    # The stock fell by two, but order 2 is gone.
    result = check([ok(1), ok(2)], state(2), state(2, p0=(0, [1])))
    assert (result.verdict, result.anomalies) == ("fails", {"oversold": 0, "lost": 1, "phantom": 0})
    # Neither its decrement nor its row: still one lost sale, not two.
    result = check([ok(1), ok(2)], state(2), state(2, p0=(1, [1])))
    assert result.anomalies == {"oversold": 0, "lost": 1, "phantom": 0}


def test_one_order_id_told_to_two_buyers_is_a_lost_sale() -> None:
    result = check([ok(1), ok(1)], state(2), state(2, p0=(0, [1])))
    assert result.verdict == "fails" and result.anomalies["lost"] == 1


def test_orders_nobody_was_told_about_are_phantoms_and_a_refusal_excuses_none() -> None:
    history = [ok(1), sold_out()]
    result = check(history, state(2), state(2, p0=(0, [1, 2])))
    assert result.verdict == "fails"
    assert result.anomalies == {"oversold": 0, "lost": 0, "phantom": 1}
    # A decrement nobody was told about, even without an order row, is a phantom sale too.
    result = check(history, state(2), state(2, p0=(0, [1])))
    assert result.anomalies == {"oversold": 0, "lost": 0, "phantom": 1}


def test_indeterminate_calls_may_have_sold() -> None:
    history = [ok(1), info()]
    assert check(history, state(2), state(2, p0=(0, [1, 2]))).verdict == "holds"  # the timed-out call sold
    assert check(history, state(2), state(2, p0=(1, [1]))).verdict == "holds"  # ... or did not
    result = check(history, state(3), state(3, p0=(0, [1, 2, 3])))
    assert result.verdict == "fails" and result.anomalies["phantom"] == 1  # one indeterminate call, two extra sales
    assert "indeterminate" in check(history, state(2), state(2, p0=(0, [1, 2]))).reason


def test_an_indeterminate_call_excuses_only_its_own_product() -> None:
    history = [ok(1, product=0), info(product=1)]
    result = check(history, state(2), state(2, p0=(0, [1, 2])))
    assert result.anomalies["phantom"] == 1


def test_products_are_judged_separately_and_untouched_ones_may_be_left_out() -> None:
    history = [ok(1, 0), ok(2, 0), sold_out(0), ok(3, 1), ok(4, 1), ok(5, 1)]
    result = check(history, state(2), state(2, p0=(0, [1, 2]), p1=(-1, [3, 4, 5])))
    assert result.anomalies == {"oversold": 1, "lost": 0, "phantom": 0}
    assert [e["product"] for e in result.evidence] == [1]
    # A sale acknowledged for a product the final state leaves out (still at its starting stock) is lost.
    result = check([ok(1, 7)], state(2), state(2))
    assert result.anomalies == {"oversold": 0, "lost": 1, "phantom": 0}


def test_orders_already_there_before_the_run_count_for_nobody() -> None:
    result = check([ok(5)], state(3, p0=(2, [4])), state(3, p0=(1, [4, 5])))
    assert result.verdict == "holds", result.reason
    result = check([ok(5), ok(6)], state(3, p0=(1, [4])), state(3, p0=(-1, [4, 5, 6])))
    assert result.anomalies["oversold"] == 1  # one item left at the start, two sold


def test_unreadable_state_or_nothing_acknowledged_is_unknown() -> None:
    assert check([ok(1)], None, state(2, p0=(1, [1]))).verdict == "unknown"
    assert check([ok(1)], state(2), {"products": {}}).verdict == "unknown"
    assert check([ok(1)], {"stock_per_product": None, "products": {}}, state(2, p0=(1, [1]))).verdict == "unknown"
    result = check([sold_out(), info()], state(0), state(0))
    assert result.verdict == "unknown" and "no call was acknowledged" in result.reason


def test_evidence_is_capped_and_worst_first() -> None:
    history = [ok(10 * p + i, p) for p in range(6) for i in range(2 + p)]
    final = state(1, **{f"p{p}": (1 - (2 + p), [10 * p + i for i in range(2 + p)]) for p in range(6)})
    result = check(history, state(1), final, max_examples=3)
    assert result.anomalies["oversold"] == sum(1 + p for p in range(6))
    assert [e["product"] for e in result.evidence] == [5, 4, 3]
