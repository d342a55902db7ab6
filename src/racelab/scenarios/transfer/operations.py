"""What a client may ask of the transfer scenario, and the refusals every strategy shares.

``POST /api/transfer/<strategy>/transfer`` with ``{"from": <id>, "to": <id>, "amount": <n>}``.
Arguments are checked here, before any store is touched: malformed input is a 400
(:class:`~racelab.core.scenario.BadInput`), an account id no reset can create is a 404
(:class:`UnknownAccount`). The strategies refuse the rest (an account beyond this lab's
``accounts``, a balance too small) with the same two classes, always before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import BadInput, only_fields, shown
from racelab.core.strategy import Refused

DEFAULT_ACCOUNTS = 10
MAX_ACCOUNTS = 1000
DEFAULT_BALANCE = 1000
MAX_BALANCE = 1_000_000_000
MAX_AMOUNT = 1_000_000
FIELDS = ("from", "to", "amount")


class UnknownAccount(Refused):
    """No account has this id (ids run from 1 to the ``accounts`` of the last reset)."""

    status = 404

    def __init__(self, account: int) -> None:
        super().__init__(
            "unknown_account",
            f"there is no account {account}; accounts are numbered from 1 to the lab's `accounts` parameter "
            "(GET /api/transfer/<strategy> lists them); nothing was written",
            account=account,
        )


class InsufficientFunds(Refused):
    """The payer's balance is below the amount."""

    status = 409

    def __init__(self, account: int, balance: int, amount: int) -> None:
        super().__init__(
            "insufficient_funds",
            f"account {account} holds {balance}, less than the {amount} asked; nothing was written",
            account=account,
            balance=balance,
            amount=amount,
        )


def _integer(body: Mapping[str, Any], name: str, meaning: str) -> int:
    value = body.get(name)
    if value is None:
        raise BadInput(f"{name} is required: {meaning}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number ({meaning}), got {shown(value)}")
    return value


def known(account: int) -> int:
    if not 1 <= account <= MAX_ACCOUNTS:
        # A well-formed id that no reset can create: the account does not exist (and the store is
        # never asked, so a 40-digit number cannot overflow its integer column).
        raise UnknownAccount(account)
    return account


def parse_transfer(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body as the strategies' arguments: ``from_`` (``from`` is a Python keyword), ``to``,
    ``amount``. Malformed input (400) is reported before an unknown account (404)."""
    only_fields(body, FIELDS, f"a transfer takes {', '.join(FIELDS)}")
    source = _integer(body, "from", "the paying account's id")
    target = _integer(body, "to", "the receiving account's id")
    amount = _integer(body, "amount", f"from 1 to {MAX_AMOUNT}")
    if not 1 <= amount <= MAX_AMOUNT:
        raise BadInput(f"amount must be from 1 to {MAX_AMOUNT}, got {amount}")
    if source == target:
        raise BadInput(f"from and to must be different accounts, got {source} twice")
    return {"from_": known(source), "to": known(target), "amount": amount}


def lock_keys(op: str, args: Mapping[str, Any]) -> list[str]:
    """Both accounts: a guard serialises transfers that share either one (it sorts the keys)."""
    return [str(args["from_"]), str(args["to"])]
