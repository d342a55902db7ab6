"""The payment workload: each logical payment is sent as several identical copies at once.

A client whose request timed out retries it, often while the original is still being processed:
the copies of one logical payment overlap. Caller ``i`` of burst ``r`` sends the key
``p<r>-<i mod n>``: in odd bursts n = 16 (with 48 callers, 16 logical payments of three copies
each: the original and two retries), in even bursts n = 1 (one payment whose every copy arrives
at once: a client retrying hard, and the burst that still shows the race when few calls run at a
time, since whatever four calls are in flight are copies of the same payment), released at the
same instant, each copy with the same key and the same amount
(derived from the key, so a correct server must replay rather than refuse them). One charge per
key and one payment id told to all three copies is correct; three charges for one key is the
customer charged three times.

Without bursts (a load generator firing back to back), ``seq`` counts a caller's calls and the
keys are ``s<seq>-<i mod 16>``: callers at the same step send the same payments.
Pure and stateless: the same (burst, position, seq) gives the same call on every node.
"""

from __future__ import annotations

import zlib
from typing import Any

from racelab.core.history import Call
from racelab.scenarios.payment.operations import HEADER

PAYMENTS_PER_BURST = (1, 16)  # even bursts: every copy of one payment; odd bursts: 3 copies each at 48
SMALLEST, LARGEST = 100, 9_999  # amounts drawn, in cents


def key(burst: int | None, position: int, seq: int) -> str:
    if burst is not None:
        return f"p{burst}-{position % PAYMENTS_PER_BURST[burst % len(PAYMENTS_PER_BURST)]}"
    return f"s{seq}-{position % PAYMENTS_PER_BURST[1]}"


def amount(key: str) -> int:
    """The logical payment's amount: from the key (crc32, stable across processes, unlike hash())."""
    return SMALLEST + zlib.crc32(key.encode()) % (LARGEST - SMALLEST + 1)


class PaymentWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """Nothing to size: every run starts with no charges and no keys."""
        return {}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        chosen = key(burst, position, seq)
        return Call("charge", {"amount": amount(chosen)}, headers={HEADER: chosen})
