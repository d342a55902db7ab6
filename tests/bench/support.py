"""What the bench's tests share: a stand-in for the engine's LabClient, and a free port."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from racelab.core.strategy import Strategy


class FakeLab:
    """Answers like LabClient: a reset per scenario, a state per strategy."""

    def __init__(self, token: str = "lab-token") -> None:  # noqa: S107 - a test value
        self.token = token
        self.values: dict[str, int] = {}
        self.resets: list[tuple[str | None, dict[str, Any] | None]] = []
        self.during_read: Callable[[], None] | None = None

    def reset(self, scenario: str | None = None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.resets.append((scenario, params))
        self.values = {}
        return {"reset": {scenario: {"params": {**(params or {}), "echoed": True}}}, "epoch": len(self.resets)}

    def state(self, strategy: Strategy, cookies: dict[str, str] | None = None) -> dict[str, Any]:
        if self.during_read is not None:
            self.during_read()
        return {"value": self.values.get(strategy.key, 0)}

    def start_session(self, strategy: Strategy, operation: str) -> dict[str, str]:
        return {"session": f"started-{strategy.name}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
