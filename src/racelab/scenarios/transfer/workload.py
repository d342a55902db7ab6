"""The transfer workload: bursts of small transfers among a few hot accounts, some against the flow.

Each burst puts :data:`HOT` of the accounts in play, and callers go two by two on one pair of
them. Money flows one way per burst (the lower id pays in even bursts, the higher in odd ones, so
it sloshes back and forth instead of draining one account), except that every
:data:`REVERSE_EVERY`-th caller pays against the flow, released at the same instant as its
neighbour paying the other way between the same two accounts. Those opposite transfers are what
deadlocks locks taken in request order; the flow keeps the deadlocks to them (transfers that all
lock the lower id first cannot form a cycle), so a burst stays short even where each deadlock
costs a detection timeout. With 48 callers on 8 accounts each account sees about 12 transfers
per burst, which is what makes the unsafe read-then-write lose updates on every run even with no
race window. Amounts are small (1 to :data:`MAX_DRAWN`) against the default balance of 1000, so
funds almost never run out and refusals do not thin out the contention.

Pure and stateless: every draw comes from a ``random.Random`` seeded with integers derived from
(burst, position) (or the caller's ``seq`` without bursts), never from global state or ``hash()``,
so every node of a distributed load generator draws the same calls.
"""

from __future__ import annotations

import random
from typing import Any

from racelab.core.history import Call
from racelab.scenarios.transfer.operations import DEFAULT_ACCOUNTS, DEFAULT_BALANCE

HOT = 8  # accounts in play per burst: fewer means more contention per account (and more deadlocks)
REVERSE_EVERY = 8  # one caller in eight pays against the flow (see pair())
MAX_DRAWN = 20  # largest amount drawn, small against DEFAULT_BALANCE
STRIDE = 100003  # a prime larger than any burst size: (key, position) -> one distinct seed
# Seeds are 3 * n + purpose (0: hot accounts, 1: pair, 2: amount), so no two draws share one.


def hot_accounts(key: int, accounts: int = DEFAULT_ACCOUNTS) -> list[int]:
    """The accounts in play in burst ``key`` (changing from burst to burst, so all get used)."""
    return sorted(random.Random(key * 3).sample(range(1, accounts + 1), min(HOT, accounts)))


def pair(key: int, position: int) -> tuple[int, int]:
    """(from, to) for this caller. Callers go two by two on one pair of hot accounts; money flows
    up (lower id pays) in even bursts and down in odd ones, except that every REVERSE_EVERY-th
    caller pays against the flow, at the same instant as its neighbour pays with it."""
    leader = position - position % 2
    low, high = sorted(random.Random((key * STRIDE + leader) * 3 + 1).sample(hot_accounts(key), 2))
    upward = key % 2 == 0
    if position % REVERSE_EVERY == 1:
        upward = not upward
    return (low, high) if upward else (high, low)


class TransferWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """The defaults: calls are drawn among accounts 1 to DEFAULT_ACCOUNTS."""
        return {"accounts": DEFAULT_ACCOUNTS, "balance": DEFAULT_BALANCE}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        key = burst if burst is not None else seq
        source, target = pair(key, position)
        amount = random.Random((key * STRIDE + position) * 3 + 2).randint(1, MAX_DRAWN)
        return Call("transfer", {"from": source, "to": target, "amount": amount})
