"""One history format for every experiment: what each client call asked, and what it was told.

Both engines (the thread bursts behind ``racelab burst`` and the tests, and the Locust bench
behind the web UI and ``make report``) record :class:`Op` values; the checkers read them, and
``history.jsonl`` stores them one per line so a checker fix can re-check an old run.

A call ends in one of three ways, as in Jepsen's histories:

- ``ok``: acknowledged (a 2xx carrying a value): the effect happened;
- ``fail``: refused (a 4xx): nothing was applied, the server says so;
- ``info``: indeterminate (a 5xx, a timeout, a cut connection): it may or may not have been
  applied, and a checker must allow both.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import IO, Any, Literal

Status = Literal["ok", "fail", "info"]


@dataclass(frozen=True)
class Call:
    """What a client is about to send: an operation of the scenario, its arguments and headers."""

    op: str
    args: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Op:
    """One client call and its answer."""

    op: str
    args: dict[str, Any]
    status: Status
    value: Any = None  # what the app acknowledged: a counter value, an order id, an account id...
    served_by: dict[str, Any] | None = None  # replica, pid, thread of the worker that answered
    error: str | None = None  # "409 sold_out", "503 postgres_unavailable", "timeout"...
    sent: float | None = None  # wall-clock seconds when the request was sent
    answered: float | None = None  # ... and when its answer (or failure) arrived
    burst: int | None = None  # the synchronised burst it belonged to
    retries: int = 0  # what the call cost on the server (X-Racelab-* headers)
    wait_ms: float = 0.0
    deadlocks: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # what the call sent besides its body
    # The cookies its answer set (name -> value, "" for one it deleted): a session scenario's
    # client keeps them, so the session it ended up with can be told from the history alone.
    cookies: dict[str, str] = field(default_factory=dict)
    # Wall-clock seconds, on the server's clock, between ``sent`` and ``answered``: when it landed
    # on the app's socket (X-Racelab-Arrived-Wall, the kernel's stamp; None where the server does
    # not read it) and when the app began it (X-Racelab-Started-Wall). A burst's arrival and start
    # spreads are measured with them (racelab.app.arrival).
    arrived: float | None = None
    started: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Op:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})


def header_number(headers: Mapping[str, str], name: str) -> float:
    raw = headers.get(name)
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0


def classify(
    call: Call,
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    sent: float | None = None,
    answered: float | None = None,
    burst: int | None = None,
) -> Op:
    """The history record of one HTTP answer (``status`` 0: no answer at all)."""
    headers = headers or {}
    body = body if isinstance(body, dict) else {}
    common: dict[str, Any] = {
        "op": call.op,
        "args": call.args,
        "headers": call.headers,
        "sent": sent,
        "answered": answered,
        "burst": burst,
        "cookies": set_cookies(headers),  # whatever the status: a browser keeps a refusal's cookies too
        "arrived": header_number(headers, "X-Racelab-Arrived-Wall") or None,  # also a refusal's
        "started": header_number(headers, "X-Racelab-Started-Wall") or None,
    }
    if 200 <= status < 300 and "value" in body:
        return Op(
            status="ok",
            value=body["value"],
            served_by=body.get("served_by"),
            retries=int(header_number(headers, "X-Racelab-Retries")),
            wait_ms=header_number(headers, "X-Racelab-Wait-Ms"),
            deadlocks=int(header_number(headers, "X-Racelab-Deadlocks")),
            **common,
        )
    error = f"{status} {body.get('error', '')}".strip() if status else "no answer"
    # 4xx: the server refused or rolled back, so nothing was applied. 5xx or no answer: it may have been.
    return Op(status="fail" if 400 <= status < 500 else "info", error=error, **common)


def set_cookies(headers: Mapping[str, str]) -> dict[str, str]:
    """The cookies an answer sets (``Set-Cookie``): name -> value as sent, ``""`` for one it
    deletes (``Max-Age=0``). A header mapping keeps one ``Set-Cookie``: the lab sets one at most."""
    raw = next((value for name, value in headers.items() if name.lower() == "set-cookie"), None)
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {name: "" if morsel["max-age"] == "0" else morsel.coded_value for name, morsel in jar.items()}


def session_cookies(history: Iterable[Op], start: Mapping[str, str] | None = None) -> dict[str, str]:
    """The cookies a client holds after these answers, starting with ``start``. A browser keeps
    every cookie an answer sets, so, name by name, the answer received last wins; a deleted
    cookie is gone."""
    jar = dict(start or {})
    for op in sorted((op for op in history if op.cookies), key=lambda op: op.answered or 0.0):
        jar.update(op.cookies)
    return {name: value for name, value in jar.items() if value}


def cookie_header(cookies: Mapping[str, str] | None) -> dict[str, str]:
    """The ``Cookie`` request header that sends these cookies (none: no header)."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}


def unanswered(call: Call, sent: float | None, burst: int | None, why: str) -> Op:
    """A call that never got an answer: indeterminate."""
    return Op(call.op, call.args, "info", error=why, sent=sent, burst=burst, headers=call.headers)


def counts(history: Iterable[Op]) -> dict[str, int]:
    """attempted / acknowledged / failed / indeterminate."""
    c = {"attempted": 0, "acknowledged": 0, "failed": 0, "indeterminate": 0}
    key = {"ok": "acknowledged", "fail": "failed", "info": "indeterminate"}
    for op in history:
        c["attempted"] += 1
        c[key[op.status]] += 1
    return c


def max_in_flight(history: Iterable[Op]) -> int:
    """The most calls that were in flight at one instant: how much concurrency the run had.

    A call without an answer time counts as in flight until the end.
    """
    events: list[tuple[float, int]] = []
    for op in history:
        if op.sent is None:
            continue
        events.append((op.sent, 1))
        if op.answered is not None:
            events.append((op.answered, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # an answer at the same instant as a send comes first
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


_MISSING = object()
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Op) if f.default is not MISSING}
_DEFAULTS["headers"] = {}
_DEFAULTS["cookies"] = {}
_REQUIRED = {"op", "args", "status"}


def _open(path: Path, write: bool) -> IO[str]:
    """``.gz`` files are gzip-compressed: a report keeps every cell's history, so size matters."""
    if path.suffix == ".gz":
        return gzip.open(path, "wt" if write else "rt", encoding="utf-8")
    return open(path, "w" if write else "r", encoding="utf-8")


def compact(op: Op) -> dict[str, Any]:
    """The op as JSON, fields at their default left out: they come back as the default when read."""
    return {k: v for k, v in op.to_json().items() if k in _REQUIRED or v != _DEFAULTS.get(k, _MISSING)}


def write_jsonl(path: Path, history: Iterable[Op]) -> None:
    with _open(path, write=True) as out:
        for op in history:
            out.write(json.dumps(compact(op), separators=(",", ":")) + "\n")


def read_jsonl(path: Path) -> Iterator[Op]:
    with _open(path, write=False) as handle:
        for line in handle:
            if line.strip():
                yield Op.from_json(json.loads(line))
