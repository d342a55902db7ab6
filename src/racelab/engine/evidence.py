"""A checker's evidence as one line of text, whatever its scenario: for the terminal
(``racelab burst``) and the Locust tabs. (The report renders the same examples as HTML.)"""

from __future__ import annotations

import json
from typing import Any


def who(served: dict[str, Any]) -> str:
    """'app-1 pid 12 thread 0_1', plus whatever else the checker noted ('(sales 2)')."""
    thread = str(served.get("thread", "?")).replace("ThreadPoolExecutor-", "thread ")
    text = f"{served.get('replica', '?')} pid {served.get('pid', '?')} {thread}"
    extra = ", ".join(f"{k} {v}" for k, v in served.items() if k not in ("replica", "pid", "thread"))
    return f"{text} ({extra})" if extra else text


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_evidence(example: dict[str, Any]) -> str:
    """A checker's example, whatever its scenario: 'value 7: app-1 pid 12 thread 0_1 & app-3 ...'.

    Its fields in order (the anomaly it shows first), then the first two callers who were served
    (``served_by``)."""
    fields = ", ".join(f"{k} {_short(v)}" for k, v in example.items() if k not in ("anomaly", "served_by"))
    text = f"{example['anomaly']}: {fields}" if "anomaly" in example else fields
    served = [s for s in example.get("served_by") or [] if isinstance(s, dict)]
    if served:
        more = f" (+{len(served) - 2} more)" if len(served) > 2 else ""
        text += ": " + " & ".join(who(s) for s in served[:2]) + more
    return text
