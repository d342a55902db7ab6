"""Bounded retries with capped, jittered exponential backoff, shared by the optimistic strategies."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from racelab.core.context import RetriesExhausted

MAX_ATTEMPTS = 64
BASE_DELAY_S = 0.0005
MAX_DELAY_S = 0.02


class RetryLoop:
    """``for attempt in RetryLoop(name):`` yields 0, 1, 2...; sleeps before each retry.

    Raises :class:`RetriesExhausted` when the loop body never returned. Jitter keeps the losers
    of one conflict from colliding again in lock step.
    """

    def __init__(self, name: str, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.name = name
        self.max_attempts = max_attempts

    def __iter__(self) -> Iterator[int]:
        for attempt in range(self.max_attempts):
            if attempt:
                cap = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** min(attempt, 10))
                time.sleep(random.uniform(0, cap))
            yield attempt
        raise RetriesExhausted(self.name, self.max_attempts)
