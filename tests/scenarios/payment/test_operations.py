"""The payment's arguments: the body's amount and the Idempotency-Key header, checked before any store."""

from __future__ import annotations

import pytest

from racelab.core.scenario import BadInput
from racelab.scenarios.payment.operations import KeyReused, optional_key, parse_charge, required_key


def test_a_charge_takes_a_whole_amount_from_1_to_100000() -> None:
    assert parse_charge({"amount": 1}) == {"amount": 1}
    assert parse_charge({"amount": 100_000}) == {"amount": 100_000}
    for body in ({}, {"amount": 0}, {"amount": 100_001}, {"amount": "5"}, {"amount": True}, {"amount": 1.0}):
        with pytest.raises(BadInput, match="amount"):
            parse_charge(body)


def test_the_key_belongs_in_the_header_not_the_body() -> None:
    with pytest.raises(BadInput, match=r"unexpected field 'idempotency_key'.*Idempotency-Key header"):
        parse_charge({"amount": 5, "idempotency_key": "k1"})


def test_a_key_is_optional_for_some_but_never_malformed() -> None:
    assert optional_key(None) is None
    assert optional_key("Order-7.a_1") == required_key("Order-7.a_1") == "Order-7.a_1"
    with pytest.raises(BadInput, match="header is required"):
        required_key(None)
    for bad in ("", "a" * 65, "a b", "a/b", "é"):
        with pytest.raises(BadInput, match="1 to 64"):
            optional_key(bad)


def test_a_long_key_is_cut_short_in_the_message() -> None:
    with pytest.raises(BadInput) as info:
        optional_key("x" * 10_000)
    assert len(str(info.value)) < 300 and "10000 characters" in str(info.value)


def test_a_reused_key_says_what_the_first_request_asked() -> None:
    refusal = KeyReused("k1", 500, 501)
    assert (refusal.status, refusal.code, refusal.extra) == (
        422,
        "idempotency_key_reused",
        {"key": "k1", "amount": 500, "asked": 501},
    )
