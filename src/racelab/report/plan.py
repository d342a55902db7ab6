"""What a report runs: which topologies and strategies, for how long, kept how; from the options,
else the environment (QUICK, KEEP, LOCUST_HTML, TOPOLOGY, RACE_WINDOW_MS), else the defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from racelab import scenarios
from racelab.core.scenario import UnknownName
from racelab.report.folders import DEFAULT_KEEP
from racelab.report.lab import ReportError
from racelab.runtime import envfile
from racelab.runtime.paths import project_root
from racelab.settings import SettingsError, StackSettings
from racelab.topology import DEFAULT_TOPOLOGY, TOPOLOGIES

# Chosen so that every scenario's full matrix (38 strategies x 4 topologies) fits in four minutes
# on two cores and QUICK in one, with a folder under 3 MB; each cell still gets enough bursts to
# show its race. Measured on two shared cores: 152 cells in 2:00 (2.8 MB), QUICK's 38 in 0:28.
DEFAULT_SECONDS = 0.6
DEFAULT_MIN_BURSTS = 8
DEFAULT_USERS = 24


@dataclass
class Plan:
    topologies: list[str]  # in display order (TOPOLOGIES' order)
    strategies: list[str]  # scenario/strategy keys, in the registry's order
    seconds: float = DEFAULT_SECONDS  # bursting time per cell
    users: int = DEFAULT_USERS  # users per burst (all of them fire together)
    min_bursts: int = DEFAULT_MIN_BURSTS
    race_window_ms: int | None = None  # None: the running stack's own (RACE_WINDOW_MS unset)
    quick: bool = False
    out_root: Path = field(default_factory=lambda: project_root() / "report")
    default_topology: str = DEFAULT_TOPOLOGY  # the configured one: QUICK runs it, the costs lead with it
    keep: int = DEFAULT_KEEP  # report folders kept (0: all)
    locust_html: bool = False
    selectors: list[str] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return len(self.topologies) * len(self.strategies)


def flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "no", "false", "off"):
        return False
    if raw in ("1", "yes", "true", "on"):
        return True
    raise ReportError(f"{name}={raw!r}: use {name}=1 or {name}=0")


def whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ReportError(f"{name}={raw!r}: use a whole number (0 keeps every report)")
    return int(raw)


def select(selectors: list[str] | None) -> list[str]:
    """``scenario/strategy`` keys for what ``--strategy`` names, in the registry's order."""
    if not selectors:
        return [s.key for s in scenarios.all_strategies()]
    chosen: set[str] = set()
    for selector in selectors:
        try:
            chosen.update(s.key for s in scenarios.resolve(selector))
        except UnknownName as exc:
            raise ReportError(f"--strategy: {exc}") from None
    return [s.key for s in scenarios.all_strategies() if s.key in chosen]


def make_plan(
    quick: bool | None = None,
    topologies: list[str] | None = None,
    selectors: list[str] | None = None,
    seconds: float | None = None,
    users: int | None = None,
    min_bursts: int | None = None,
    out_root: Path | None = None,
    keep: int | None = None,
    locust_html: bool | None = None,
) -> Plan:
    """The plan from the options, else the environment (QUICK, KEEP, LOCUST_HTML, TOPOLOGY,
    RACE_WINDOW_MS, from the process or ``.env``), else the defaults."""
    env = envfile.load(project_root())
    try:
        stack = StackSettings.from_env(env)
    except SettingsError as exc:
        raise ReportError(str(exc)) from None
    quick = flag(env, "QUICK") if quick is None else quick
    configured = env.get("TOPOLOGY", "").strip() or DEFAULT_TOPOLOGY
    if topologies:
        unknown = [t for t in topologies if t not in TOPOLOGIES]
        if unknown:
            raise ReportError(f"unknown topology {unknown[0]!r}; choose from: {', '.join(TOPOLOGIES)}")
        columns = [t for t in TOPOLOGIES if t in topologies]
    else:
        columns = [configured] if quick else list(TOPOLOGIES)
    for name, value in (("--seconds", seconds), ("--users", users), ("--min-bursts", min_bursts)):
        if value is not None and value <= 0:
            raise ReportError(f"{name} must be above 0, got {value:g}")
    return Plan(
        topologies=columns,
        strategies=select(selectors),
        seconds=seconds if seconds is not None else DEFAULT_SECONDS,
        users=users if users is not None else DEFAULT_USERS,
        min_bursts=min_bursts if min_bursts is not None else DEFAULT_MIN_BURSTS,
        race_window_ms=stack.race_window_ms if env.get("RACE_WINDOW_MS", "").strip() else None,
        quick=quick,
        out_root=out_root or project_root() / "report",
        default_topology=configured,
        keep=whole(env, "KEEP", DEFAULT_KEEP) if keep is None else keep,
        locust_html=flag(env, "LOCUST_HTML") if locust_html is None else locust_html,
        selectors=list(selectors or []),
    )


def order_topologies(plan: Plan, found: str) -> list[str]:
    """The topology the stack was found in last: the stack ends as it began, with one switch fewer."""
    return [t for t in plan.topologies if t != found] + [t for t in plan.topologies if t == found]
