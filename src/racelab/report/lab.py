"""The stack the report runs on: found as it is, switched between topologies through the runtime
``make up`` uses, and put back as it was found.

What the stack runs is asked of the stack itself (``GET /api/lab``: the shape the runtime started
it with), not read from the environment: ``TOPOLOGY=threads make up`` followed by a plain
``make report`` must end in ``threads`` again, and so must a ``REPLICAS=5 make up``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from racelab.engine.client import LabClient, LabError
from racelab.runtime import envfile
from racelab.runtime.paths import project_root
from racelab.settings import StackSettings
from racelab.topology import DEFAULT_SERVER, Topology, custom_topology

if TYPE_CHECKING:
    from racelab.isolation.results import IsolationResults
    from racelab.runtime.select import Runtime


class ReportError(RuntimeError):
    """The matrix could not be run; the message says what to do."""


@dataclass(frozen=True)
class Shape:
    """What a stack runs: replicas x workers x threads, its server, and its default race window."""

    replicas: int
    workers: int
    threads: int
    race_window_ms: int
    server: str = DEFAULT_SERVER

    @property
    def topology(self) -> Topology:
        """The named topology with these numbers and server, or a ``custom`` one."""
        return custom_topology(self.replicas, self.workers, self.threads, self.server)

    @property
    def label(self) -> str:
        window = f", race window {self.race_window_ms} ms" if self.race_window_ms else ""
        return f"{self.topology.name} ({self.topology.shape}{window})"

    def same_topology(self, other: Shape) -> bool:
        return self.topology.shape == other.topology.shape

    @classmethod
    def of(cls, topology: Topology, race_window_ms: int) -> Shape:
        return cls(topology.replicas, topology.workers, topology.threads, race_window_ms, topology.server)

    def environ(self) -> dict[str, str]:
        """The variables ``make up`` reads for this shape: TOPOLOGY when it has a name, else the numbers."""
        named = self.topology.name != "custom"
        return {
            "TOPOLOGY": self.topology.name if named else "",  # empty: unset, over whatever .env says
            "REPLICAS": str(self.replicas),
            "WORKERS": str(self.workers),
            "THREADS": str(self.threads),
            "SERVER": self.server,
            "RACE_WINDOW_MS": str(self.race_window_ms),
        }


class Lab:
    """The stack, found, switched and put back through the runtime that ``make up`` uses."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        from racelab.runtime.select import choose

        self.lines: list[str] = []  # what the runtime said during the last switch
        self.runtime: Runtime = runtime or choose(out=self.lines.append)

    def settings(self) -> StackSettings:
        return StackSettings.from_env(envfile.load(project_root()))

    def url_and_token(self) -> tuple[str, str]:
        env = envfile.load(project_root())
        return f"http://127.0.0.1:{StackSettings.from_env(env).nginx_port}", env.get("LAB_TOKEN", "")

    def configured(self) -> Shape:
        """What ``make up`` would start now, from ``.env`` and the environment."""
        s = self.settings()
        return Shape(s.replicas, s.workers, s.threads, s.race_window_ms, s.server)

    def running(self) -> Shape | None:
        """The shape the running stack says it has; None when nothing answers.

        Raises :class:`ReportError` when a lab answers without saying its shape: the report
        could not put it back as it was, so it refuses before it changes anything.
        """
        url, _ = self.url_and_token()
        try:
            answer = LabClient(url, timeout=5.0).request("GET", "/api/lab")
        except OSError:
            return None
        except LabError as exc:
            raise ReportError(
                f"a lab answers at {url} but not GET /api/lab ({exc}), so the report could not put it back as "
                "it is; restart it with make up (or make down), then run the report again"
            ) from exc
        try:
            topology = answer["topology"]
            shape = Shape(
                int(topology["replicas"]),
                int(topology["workers"]),
                int(topology["threads"]),
                int(answer["race_window_ms"]),
                # A lab from before servers were a choice ran gunicorn's gthread worker.
                str(topology.get("server") or DEFAULT_SERVER),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"the lab at {url} answers GET /api/lab with something unexpected: {answer!r}") from exc
        if not shape.replicas or not shape.workers:
            raise ReportError(
                f"the lab at {url} does not say how it runs (replicas x workers unknown), so the report could not "
                "put it back as it is; restart it with make up, then run the report again"
            )
        return shape

    def isolation(self) -> IsolationResults:
        """The isolation anomalies matrix against the stack's Postgres (or why it could not run)."""
        from racelab.report.isolation import run_for_report

        return run_for_report(self.runtime.name)

    def switch(self, shape: Shape) -> None:
        """``make up`` with this shape: the runtime restarts only what changes."""
        os.environ.update(shape.environ())
        self.lines.clear()
        try:
            self.runtime.up()
        except Exception as exc:  # shown with what the runtime said (StartError, a settings error...)
            said = "\n".join(self.lines[-15:])
            raise ReportError(f"could not bring the stack up as {shape.label}: {exc}\n{said}".rstrip()) from exc
