"""The oncall workload: every burst sends every doctor of one shift off call at once.

Caller ``i`` of burst ``r`` asks for doctor ``i`` of shift ``r % DEFAULT_SHIFTS`` to go off call,
and :meth:`params` gives each shift as many doctors as the burst has callers: a correct strategy
lets all of them go but one (refused with ``409 last_on_call``), an unsafe one lets the last few
go together, each having seen the others still on call. A shift of two doctors is the textbook
case, but a burst of twenty-four pairs needs both doctors of a pair in flight at once, which a
topology serving four calls at a time rarely does; with the whole burst on one shift, the last
calls in flight always race for the last doctors on call, whatever the concurrency.

Without bursts (a load generator's steady stream), ``seq`` counts a caller's calls: calls at the
same step of every caller go to the same shift, caller ``i`` asking for doctor ``i`` (modulo the
default number of doctors, which the reset leaves without bursts). Pure and
stateless: the same (burst, position, seq) gives the same call on every node.
"""

from __future__ import annotations

from typing import Any

from racelab.core.history import Call
from racelab.scenarios.oncall.operations import DEFAULT_DOCTORS, DEFAULT_SHIFTS, MAX_DOCTORS


def doctors_for(burst_size: int) -> int:
    """One doctor per caller (at least two: the rule needs someone to hand over to)."""
    return min(MAX_DOCTORS, max(2, burst_size))


class OnCallWorkload:
    def params(self, burst_size: int) -> dict[str, Any]:
        return {"shifts": DEFAULT_SHIFTS, "doctors": doctors_for(burst_size)}

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        if burst is None:  # the reset left every shift at the default number of doctors
            return Call("off-call", {"shift": seq % DEFAULT_SHIFTS, "doctor": position % DEFAULT_DOCTORS})
        return Call("off-call", {"shift": burst % DEFAULT_SHIFTS, "doctor": position % MAX_DOCTORS})
