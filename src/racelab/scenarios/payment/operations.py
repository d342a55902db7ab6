"""What a client may ask of the payment scenario, and the refusals the strategies share.

``POST /api/payment/<strategy>/charge`` with ``{"amount": <1-100000>}`` and the header
``Idempotency-Key: <1-64 of A-Z a-z 0-9 _ . ->``: the client's name for this *logical* payment,
the same on the original request and on every retry of it. The body is checked here, before any
store is touched (a 400, :class:`~racelab.core.scenario.BadInput`); the key is checked by the
strategies, since only they know whether they need one: those that use keys refuse a missing one
with a 400, and every strategy refuses a malformed one (a header over 8 KB never gets here: nginx
answers 431 itself). A key sent again with another amount is a 422 (:class:`KeyReused`), as
Stripe answers it: a retry must repeat its request exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import NAME, BadInput, only_fields, shown, whole
from racelab.core.strategy import Refused

MAX_AMOUNT = 100_000
FIELDS = ("amount",)
HEADER = "Idempotency-Key"


class KeyReused(Refused):
    """The key belongs to a payment of another amount: a different request, not a retry."""

    status = 422

    def __init__(self, key: str, amount: int, asked: int) -> None:
        super().__init__(
            "idempotency_key_reused",
            f"the {HEADER} {key!r} was first used for an amount of {amount}, not {asked}: a retry must send the "
            "same request; use a new key for a new payment; nothing was written",
            key=key,
            amount=amount,
            asked=asked,
        )


class KeyInUse(Refused):
    """The key's first request has not stored its answer yet (it should not happen here: the
    answer is stored in the same transaction that claims the key)."""

    status = 409

    def __init__(self, key: str) -> None:
        super().__init__(
            "idempotency_key_in_use",
            f"a request with the {HEADER} {key!r} is still being processed: retry it in a moment; nothing was written",
            key=key,
        )


def parse_charge(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body as the strategies' arguments: ``amount``, a whole number from 1 to 100000
    (the route adds ``idempotency_key`` from the header, None when it is absent)."""
    only_fields(body, FIELDS, f'a charge takes only "amount" (the key goes in the {HEADER} header)')
    return {"amount": whole(body, "amount", 1, MAX_AMOUNT)}


def optional_key(raw: str | None) -> str | None:
    """The header's key, None when absent; a malformed one is a 400 whoever reads it."""
    if raw is None:
        return None
    if not NAME.fullmatch(raw):
        raise BadInput(f"the {HEADER} header must be 1 to 64 letters, digits, '_', '.' or '-', got {shown(raw)}")
    return raw


def required_key(raw: str | None) -> str:
    key = optional_key(raw)
    if key is None:
        raise BadInput(
            f"the {HEADER} header is required: 1 to 64 letters, digits, '_', '.' or '-', the same on "
            "a request and on every retry of it"
        )
    return key


def lock_keys(op: str, args: Mapping[str, Any]) -> list[str]:
    """Guards serialise the copies of one logical payment; different keys never wait for each other.
    (A missing key locks ``key-`` for the instant it takes the strategy to refuse it.)"""
    return [f"key-{args.get('idempotency_key') or ''}"]
