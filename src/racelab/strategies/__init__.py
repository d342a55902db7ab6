"""The strategies' registry: every module of this package that defines ``STRATEGY``.

Adding a strategy is adding one module; nothing else lists them. Order follows the table in the
README: in-memory, Postgres, Redis, file; unsafe before safe.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache
from types import ModuleType

from racelab.strategies.base import Strategy
from racelab.topology import TOPOLOGIES

STORE_ORDER = ("memory", "postgres", "redis", "file")


class UnknownStrategy(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown strategy {self.name!r}; valid strategies: {', '.join(names())}"


@cache
def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        strategy = getattr(module, "STRATEGY", None)
        if isinstance(strategy, Strategy):
            if strategy.name in found:
                raise RuntimeError(f"two modules define strategy {strategy.name!r}")
            found[strategy.name] = module
    return dict(
        sorted(
            found.items(),
            key=lambda kv: (STORE_ORDER.index(kv[1].STRATEGY.store), kv[1].STRATEGY.safe_up_to, kv[0]),
        )
    )


def names() -> list[str]:
    return list(_modules())


def all_strategies() -> list[Strategy]:
    return [module.STRATEGY for module in _modules().values()]


def get(name: str) -> Strategy:
    try:
        return _modules()[name].STRATEGY
    except KeyError:
        raise UnknownStrategy(name) from None


def explanation(name: str) -> str:
    """The strategy module's docstring: the one explanation the API, UI and report all show."""
    get(name)
    return inspect.getdoc(_modules()[name]) or ""


def describe(name: str) -> dict[str, object]:
    strategy = get(name)
    return {
        "name": strategy.name,
        "scenario": strategy.scenario,
        "store": strategy.store,
        "summary": strategy.summary,
        "safe_up_to": strategy.safe_up_to.label,
        "explanation": explanation(name),
        "expected": {t.name: strategy.expected(t.scope) for t in TOPOLOGIES.values()},
    }
