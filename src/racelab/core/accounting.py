"""Set-style accounting for scenarios whose every acknowledged call leaves one row with an id.

Following Jepsen's set checker: every acknowledged id must be in the final state, recorded as it
was asked (*lost* otherwise), and every new row must be explained by an acknowledged call or, at
most, by an indeterminate call that asked the same (*phantom* otherwise). Pure functions; the
scenarios' checkers (signup, transfer, payment) call them with their own notion of "what a row
records" and "what a call asked".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from racelab.core.history import Op

T = TypeVar("T", bound=Hashable)


def as_id(value: Any) -> int | None:
    """An acknowledged value as a row id (a bool is not an id, though Python calls it an int)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def acknowledged_ids(history: list[Op]) -> dict[int, Op]:
    """Each acknowledged id and (the last) call told it."""
    return {ident: op for op in history if op.status == "ok" and (ident := as_id(op.value)) is not None}


def unaccounted(
    history: list[Op], stored: Mapping[int, T], asked: Callable[[Op], T | None], once: bool = True
) -> list[tuple[Op, T | None]]:
    """Acknowledged calls whose id is missing from ``stored`` or records other than the call
    asked, with what is stored; with ``once``, an id told to two calls is one row for two (the
    second is lost). Without it (replayed answers share an id) the same id may be told again."""
    missing: list[tuple[Op, T | None]] = []
    claimed: set[int] = set()
    for op in history:
        if op.status != "ok":
            continue
        ident = as_id(op.value)
        recorded = stored.get(ident) if ident is not None else None
        if ident is None or (once and ident in claimed) or recorded is None or recorded != asked(op):
            missing.append((op, recorded))
        if ident is not None:
            claimed.add(ident)
    return missing


def unexplained(new_rows: Mapping[int, T], history: list[Op], asked: Callable[[Op], T | None]) -> dict[T, int]:
    """New rows no acknowledged call made, by what they record, beyond what the indeterminate
    calls that asked the same could have made (a 4xx never explains a row: it wrote nothing)."""
    acknowledged = acknowledged_ids(history)
    left = Counter(what for ident, what in new_rows.items() if ident not in acknowledged)
    left.subtract(Counter(what for op in history if op.status == "info" and (what := asked(op)) is not None))
    return {what: n for what, n in left.items() if n > 0}
