"""A one-line progress bar: cell i/N, strategy x topology, elapsed, ETA.

On a terminal the line is redrawn in place; in a log (CI, a pipe) each finished cell gets a line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Protocol, TextIO


class Stream(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...

    def isatty(self) -> bool: ...


class Console:
    """Output that survives a reader who went away (``make report | head``): once the pipe is
    closed, the rest is dropped quietly and the report runs on (it still writes its folder and
    puts the stack back), instead of dying with a traceback half way."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.closed = False

    def write(self, text: str, /) -> int:
        if not self.closed:
            try:
                self.stream.write(text)
                self.stream.flush()
            except BrokenPipeError:
                self.close_quietly()
        return len(text)

    def flush(self) -> None:
        if not self.closed:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.close_quietly()

    def isatty(self) -> bool:
        try:
            return not self.closed and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def print(self, text: str = "") -> None:
        self.write(text + "\n")

    def close_quietly(self) -> None:
        """What Python's docs advise for SIGPIPE: point the descriptor at devnull, so that the
        interpreter's own flush at exit does not complain either."""
        self.closed = True
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """``switches`` is how many stack switches the run will make: they weigh in the ETA."""

    def __init__(self, total: int, stream: Stream | None = None, switches: int = 0, width: int = 24) -> None:
        self.total = total
        self.done = 0
        self.stream: Stream = stream or sys.stdout
        self.width = width
        self.started = time.monotonic()
        self.tty = self.stream.isatty()
        self.label = ""
        self.switches_left = switches
        self.switch_times: list[float] = []
        self._switch_started: float | None = None

    def switching(self, label: str) -> None:
        self._switch_started = time.monotonic()
        self.show(label)

    def switched(self) -> float:
        took = time.monotonic() - (self._switch_started or time.monotonic())
        self.switch_times.append(took)
        self.switches_left = max(0, self.switches_left - 1)
        self._switch_started = None
        return took

    def eta(self) -> str:
        if not self.done:
            return "--:--"
        cells_time = time.monotonic() - self.started - sum(self.switch_times)
        per_switch = sum(self.switch_times) / len(self.switch_times) if self.switch_times else 8.0
        return clock(cells_time / self.done * (self.total - self.done) + per_switch * self.switches_left)

    def line(self) -> str:
        filled = int(self.width * self.done / max(1, self.total))
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = clock(time.monotonic() - self.started)
        return f"[{bar}] {self.done}/{self.total}  {self.label:<52} {elapsed} elapsed, ETA {self.eta()}"

    def show(self, label: str) -> None:
        """What is happening now (a cell, or a topology switch)."""
        self.label = label
        if self.tty:
            self.stream.write("\r\033[K" + self.line())
            self.stream.flush()

    def advance(self, outcome: str = "") -> None:
        """A cell is done: on a terminal the bar moves on; in a log, a line says how it ended."""
        self.done += 1
        if self.tty:
            self.show(self.label)
        else:
            self.label = outcome or self.label
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """A line of its own above the bar."""
        if self.tty:
            self.stream.write("\r\033[K" + text + "\n" + self.line())
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
