"""The scenarios' registry: every package here that defines ``SCENARIO``, with its strategies.

Adding a scenario is adding a folder ``racelab/scenarios/<name>/`` (``__init__.py`` with
``SCENARIO``, ``schema.sql``, a checker, a workload, and ``strategies/`` with one module per
strategy); adding a strategy is adding one module to its ``strategies/``. Nothing else lists
them. Strategies are keyed by (scenario, strategy): two scenarios may both have a ``db-for-update``.
"""

from __future__ import annotations

import importlib
import importlib.resources
import inspect
import pkgutil
from functools import cache

from racelab.core.scenario import Scenario, UnknownName
from racelab.core.strategy import Strategy

RESERVED = {"lab", "strategies"}  # /api/lab/..., /api/strategies

__all__ = ["UnknownName", "all_strategies", "get", "resolve", "scenario", "scenarios", "strategy"]


def _strategies(package: str) -> list[Strategy]:
    found: dict[str, Strategy] = {}
    strategies_package = importlib.import_module(f"{package}.strategies")
    for info in pkgutil.iter_modules(strategies_package.__path__):
        module = importlib.import_module(f"{strategies_package.__name__}.{info.name}")
        strategy = getattr(module, "STRATEGY", None)
        if not isinstance(strategy, Strategy):
            continue
        if strategy.name in found:
            raise RuntimeError(f"two modules of {package} define strategy {strategy.name!r}")
        strategy.explanation = inspect.getdoc(module) or ""
        found[strategy.name] = strategy
    return sorted(found.values(), key=lambda s: (s.store.rank, -1 if s.safe_up_to is None else s.safe_up_to, s.name))


@cache
def scenarios() -> dict[str, Scenario]:
    found: list[Scenario] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        scenario = getattr(module, "SCENARIO", None)
        if not isinstance(scenario, Scenario):
            continue
        if scenario.name in RESERVED:
            raise RuntimeError(
                f"scenario name {scenario.name!r} is taken by the lab's own paths (/api/{scenario.name})"
            )
        if scenario.name != info.name:
            raise RuntimeError(f"package {info.name} defines scenario {scenario.name!r}: name them alike")
        scenario.explanation = inspect.getdoc(module) or ""
        schema = importlib.resources.files(module.__name__) / "schema.sql"
        scenario.schema = schema.read_text(encoding="utf-8") if schema.is_file() else ""
        for strategy in _strategies(module.__name__):
            strategy.scenario = scenario.name
            strategy.lock_keys = scenario.lock_keys
            scenario.strategies[strategy.name] = strategy
        found.append(scenario)
    return {s.name: s for s in sorted(found, key=lambda s: (s.rank, s.name))}


def scenario(name: str) -> Scenario:
    try:
        return scenarios()[name]
    except KeyError:
        raise UnknownName("scenario", name, list(scenarios())) from None


def strategy(scenario_name: str, name: str) -> Strategy:
    return scenario(scenario_name).strategy(name)


def all_strategies() -> list[Strategy]:
    return [s for sc in scenarios().values() for s in sc.strategies.values()]


def get(key: str) -> Strategy:
    """``<scenario>/<strategy>``, or a bare counter strategy name (the lab's first URLs)."""
    found = resolve(key)
    if len(found) != 1 or key in scenarios() or key.endswith("/all") or key == "all":
        raise UnknownName("strategy", key, [s.key for s in all_strategies()])
    return found[0]


def resolve(selector: str) -> list[Strategy]:
    """What ``make burst S=...`` and the Locust form accept: ``all`` (or empty), ``<scenario>``,
    ``<scenario>/all``, ``<scenario>/<strategy>``, or a bare strategy name of the counter."""
    selector = selector.strip()
    if selector in ("", "all"):
        return all_strategies()
    if "/" in selector:
        scenario_name, name = selector.split("/", 1)
        chosen = scenario(scenario_name)
        return list(chosen.strategies.values()) if name == "all" else [chosen.strategy(name)]
    if selector in scenarios():
        return list(scenarios()[selector].strategies.values())
    counter = scenarios().get("counter")
    if counter is not None and selector in counter.strategies:
        return [counter.strategies[selector]]
    raise UnknownName(
        "scenario or strategy",
        selector,
        ["all", *scenarios(), *[s.key for s in all_strategies()]],
    )
