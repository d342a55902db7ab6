"""What a queued strategy shares: send an operation to the queue worker, and run it there.

A queued strategy implements ``serial(ctx, op, args)``: the plain, unprotected code, which only
the queue worker runs, one message at a time. Its request-side operation calls :func:`send`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from racelab.core.context import Ctx, Outcome, Refused


@runtime_checkable
class Serial(Protocol):
    @property
    def key(self) -> str: ...

    def serial(self, ctx: Ctx, op: str, args: Mapping[str, Any]) -> Outcome: ...


class QueueFailed(Exception):
    """The worker took the message but its code failed: it may have written part of it."""


def send(ctx: Ctx, strategy: Serial, op: str, args: Mapping[str, Any]) -> Outcome:
    """Run ``op`` through the queue worker and return what it handed out."""
    reply = ctx.resources.queue().call(
        {"strategy": strategy.key, "op": op, "args": dict(args), "race_window_s": ctx.race_window_s}
    )
    if "refused" in reply:
        refused = reply["refused"]
        raise Refused(str(refused["code"]), str(refused["message"]))
    if "error" in reply:
        raise QueueFailed(str(reply["error"]))
    return Outcome(reply["value"], retries=int(reply.get("retries", 0)), wait_ms=float(reply.get("wait_ms", 0.0)))


def answer(ctx: Ctx, strategy: Serial, op: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's side: run the serial code and say what happened, as a JSON-able reply."""
    try:
        outcome = strategy.serial(ctx, op, args)
    except Refused as exc:
        return {"refused": {"code": exc.code, "message": exc.message}}
    return {"value": outcome.value, "retries": outcome.retries, "wait_ms": outcome.wait_ms}
