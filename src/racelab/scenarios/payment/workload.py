"""The payment workload: each logical payment is sent as several identical copies at once.

A client whose request timed out retries it, often while the original is still being processed:
the copies of one logical payment overlap. Caller ``i`` of burst ``r`` sends the key
``p<r>-<i // COPIES>``: with 48 callers, 16 logical payments of three copies each (the original
and two retries), released at the same instant, each copy with the same key and the same amount
(derived from the key, so a correct server must replay rather than refuse them). One charge per
key and one payment id told to all three copies is correct; three charges for one key is the
customer charged three times.

Without bursts (a load generator firing back to back), ``seq`` counts a caller's calls and the
keys are ``s<seq>-<i // COPIES>``: neighbouring callers at the same step send the same payment.
Pure and stateless: the same (burst, position, seq) gives the same call on every node.
"""

from __future__ import annotations

import zlib
from typing import Any

from racelab.core.history import Call
from racelab.scenarios.payment.operations import HEADER

COPIES = 3  # the original request and two retries
SMALLEST, LARGEST = 100, 9_999  # amounts drawn, in cents


def key(burst: int | None, position: int, seq: int) -> str:
    if burst is not None:
        return f"p{burst}-{position // COPIES}"
    return f"s{seq}-{position // COPIES}"


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
