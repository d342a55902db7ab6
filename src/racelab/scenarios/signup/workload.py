"""The signup workload: every burst races on fresh usernames, several callers on each.

Caller ``i`` of burst ``r`` registers ``u<r>-<i mod NAMES_PER_BURST>``: with 48 callers, eight
names per burst and six callers on each, released at the same instant. A correct sign-up creates
exactly one account per name and refuses the other five callers with 409 ``username_taken``; the
check-then-insert creates several. The names are new in every burst, so each burst is a fresh
race, not a retry of an old one (the accounts of earlier bursts stay, and prove they were not
created twice).

Why eight names of six rather than two of twenty-four: a name's race is over once its first
account commits, and the callers that arrive after that are refused whatever the strategy; what
makes duplicates certain at a race window of zero is many *independent* races per burst. Measured
on the 3 x 2 x 4 stack (48 callers x 3 bursts, 15 runs each, duplicate rows + acknowledgements):
two names gave ``db-thread-lock`` as few as 2 anomalies (mean 7), eight names at least 15 (mean
22), and ``db-check-then-insert`` at least 17 (mean 26).

Without bursts (a load generator firing back to back), ``seq`` counts a caller's calls and the
names are ``s<seq>-<i mod NAMES_PER_BURST>``: callers at the same step of their sequence compete
for the same names. Pure and stateless: the same (burst, position, seq) gives the same call on
every node of a distributed load generator.
"""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call

NAMES_PER_BURST = 8


def username(burst: int | None, position: int, seq: int) -> str:
    if burst is not None:
        return f"u{burst}-{position % NAMES_PER_BURST}"
    return f"s{seq}-{position % NAMES_PER_BURST}"


class SignupWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """Nothing to size: every run starts with no accounts."""
        return {}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        return Call("register", {"username": username(burst, position, seq)})
