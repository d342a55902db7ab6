"""The signup workload: every burst races on fresh usernames, several callers on each.

Caller ``i`` of burst ``r`` registers ``u<r>-<i mod k>``, where ``k`` alternates between one name
(even bursts: every caller wants the same username) and eight (odd bursts: six callers on each of
them at 48 callers), released at the same instant. A correct sign-up creates
exactly one account per name and refuses the other five callers with 409 ``username_taken``; the
check-then-insert creates several. The names are new in every burst, so each burst is a fresh
race, not a retry of an old one (the accounts of earlier bursts stay, and prove they were not
created twice).

Why eight names of six rather than two of twenty-four: a name's race is over once its first
account commits, and the callers that arrive after that are refused whatever the strategy; what
makes duplicates certain at a race window of zero is many *independent* races per burst. Measured
on the 3 x 2 x 4 stack (48 callers x 3 bursts, 15 runs each, duplicate rows + acknowledgements):
two names gave ``db-thread-lock`` as few as 2 anomalies (mean 7), eight names at least 15 (mean
22), and ``db-check-then-insert`` at least 17 (mean 26). But with little concurrency (the
``processes`` topology serves four calls at a time, one per single-threaded process) the race for
a name is over after the first four calls, and four calls in flight rarely share one of eight
names: the unsafe strategies went several runs without a duplicate. When every caller wants the
same name, all four calls in flight race for it. Alternating gives every run both kinds of burst.

Without bursts (a load generator firing back to back), ``seq`` counts a caller's calls and the
names are ``s<seq>-<i mod 8>``: callers at the same step of their sequence compete
for the same names. Pure and stateless: the same (burst, position, seq) gives the same call on
every node of a distributed load generator.
"""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call

NAMES_PER_BURST = (1, 8)  # even bursts: one crowded race; odd bursts: many independent ones


def names_in(burst: int | None) -> int:
    return NAMES_PER_BURST[(burst or 0) % len(NAMES_PER_BURST)]


def username(burst: int | None, position: int, seq: int) -> str:
    if burst is not None:
        return f"u{burst}-{position % names_in(burst)}"
    return f"s{seq}-{position % NAMES_PER_BURST[1]}"


class SignupWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        """Nothing to size: every run starts with no accounts."""
        return {}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        return Call("register", {"username": username(burst, position, seq)})
