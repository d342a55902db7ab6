"""The isolation matrix's results as plain data: what ``racelab isolation --json`` prints and what
the report keeps in ``results.json`` (and renders again from it, without a database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = ("anomaly", "prevented", "unknown")


@dataclass
class CellResult:
    """One anomaly at one isolation level: what the sessions showed, and what PostgreSQL documents."""

    level: str
    outcome: str  # anomaly, prevented or unknown (the test itself went wrong)
    how: str  # when prevented: blocked, aborted, "blocked, aborted" or consistent read
    detail: str  # what was seen, in a sentence
    documented: str  # possible or prevented, from PostgreSQL's documentation
    trace: list[str] = field(default_factory=list)  # every step as it ran, and the final state

    @property
    def as_documented(self) -> bool:
        return self.outcome == ("anomaly" if self.documented == "possible" else "prevented")

    @property
    def label(self) -> str:
        """``ANOMALY`` or ``prevented: blocked``: what a matrix cell says."""
        if self.outcome == "prevented":
            return f"prevented: {self.how}" if self.how else "prevented"
        return self.outcome.upper() if self.outcome == "anomaly" else "unknown"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CellResult:
        return cls(
            str(raw["level"]),
            str(raw["outcome"]),
            str(raw["how"]),
            str(raw["detail"]),
            str(raw["documented"]),
            [str(line) for line in raw["trace"]],
        )


@dataclass
class AnomalyResult:
    name: str  # G0, G1a, ..., G2
    title: str  # dirty write, ...
    explanation: str  # the anomaly module's docstring
    prevented_from: str  # the weakest level PostgreSQL documents as preventing it
    cells: list[CellResult]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AnomalyResult:
        return cls(
            str(raw["name"]),
            str(raw["title"]),
            str(raw["explanation"]),
            str(raw["prevented_from"]),
            [CellResult.from_json(c) for c in raw["cells"]],
        )


@dataclass
class IsolationResults:
    """Every anomaly at every level, against one server (``error``: why it could not run)."""

    levels: list[str]
    anomalies: list[AnomalyResult] = field(default_factory=list)
    server: str = ""  # "PostgreSQL 16.4"
    where: str = ""  # host:port/database
    duration_s: float = 0.0
    error: str = ""

    @property
    def cells(self) -> list[CellResult]:
        return [c for a in self.anomalies for c in a.cells]

    @property
    def as_documented(self) -> int:
        return sum(c.as_documented for c in self.cells)

    @property
    def status(self) -> int:
        """0: every cell as documented; 1: a cell differs; 2: a cell is unknown, or nothing ran."""
        cells = self.cells
        if self.error or not cells:
            return 2
        if any(c.outcome != "unknown" and not c.as_documented for c in cells):
            return 1
        return 2 if any(c.outcome == "unknown" for c in cells) else 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> IsolationResults:
        return cls(
            levels=[str(level) for level in raw["levels"]],
            anomalies=[AnomalyResult.from_json(a) for a in raw["anomalies"]],
            server=str(raw["server"]),
            where=str(raw["where"]),
            duration_s=float(raw["duration_s"]),
            error=str(raw["error"]),
        )
