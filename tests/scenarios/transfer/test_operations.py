"""Arguments of a transfer: malformed input is a 400, an impossible account a 404, before any store."""

from __future__ import annotations

from typing import Any

import pytest

from racelab.core.scenario import BadInput
from racelab.scenarios.transfer.operations import MAX_ACCOUNTS, UnknownAccount, lock_keys, parse_transfer


def test_a_valid_body_becomes_the_strategies_arguments() -> None:
    assert parse_transfer({"from": 1, "to": 2, "amount": 5}) == {"from_": 1, "to": 2, "amount": 5}
    assert lock_keys("transfer", {"from_": 7, "to": 3, "amount": 1}) == ["7", "3"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "from is required"),
        ({"from": 1, "to": 2}, "amount is required"),
        ({"from": 1, "to": 2, "amount": 0}, "amount must be from 1"),
        ({"from": 1, "to": 2, "amount": -5}, "amount must be from 1"),
        ({"from": 1, "to": 2, "amount": 10**7}, "amount must be from 1"),
        ({"from": 1, "to": 2, "amount": 2.5}, "amount must be a whole number"),
        ({"from": 1, "to": 2, "amount": True}, "amount must be a whole number"),
        ({"from": "1", "to": 2, "amount": 5}, "from must be a whole number"),
        ({"from": 1, "to": None, "amount": 5}, "to is required"),
        ({"from": 3, "to": 3, "amount": 5}, "must be different accounts"),
        ({"from": 1, "to": 2, "amount": 5, "memo": "x"}, "unexpected field 'memo'"),
        # An unknown account does not hide malformed input: 400 first.
        ({"from": 10**40, "to": 2, "amount": -1}, "amount must be from 1"),
    ],
)
def test_malformed_input_is_bad_input(body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_transfer(body)


def test_a_long_string_is_not_echoed_back_whole() -> None:
    with pytest.raises(BadInput) as info:
        parse_transfer({"from": "x" * 10_000, "to": 2, "amount": 5})
    assert len(str(info.value)) < 200 and "10000 characters" in str(info.value)


@pytest.mark.parametrize("account", [0, -1, MAX_ACCOUNTS + 1, 10**40])
def test_an_account_no_reset_can_create_is_unknown(account: int) -> None:
    with pytest.raises(UnknownAccount) as info:
        parse_transfer({"from": 1, "to": account, "amount": 5})
    assert (info.value.status, info.value.code, info.value.extra) == (404, "unknown_account", {"account": account})
