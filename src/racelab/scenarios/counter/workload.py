"""The counter's workload: every caller asks for the next number; nothing to draw."""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call


class CounterWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        return {}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        return Call("next")
