"""The README says what the code does: its strategy tables are the registry's, and every make
target it names exists. (The tables are what a learner reads first; they must not drift.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from racelab import scenarios
from racelab.topology import TOPOLOGIES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_under(heading: str) -> list[list[str]]:
    """The rows of the first table after a ``### heading`` line, cells stripped."""
    section = README.split(f"\n### {heading}\n", 1)[1]
    table = next(block for block in section.split("\n\n") if block.startswith("|"))
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]


@pytest.mark.parametrize("name", list(scenarios.scenarios()))
def test_each_scenarios_table_is_the_registrys(name: str) -> None:
    rows = table_under(name)
    registry = scenarios.scenario(name)
    assert [row[0].strip("`") for row in rows] == list(registry.strategies)
    for row in rows:
        strategy = registry.strategy(row[0].strip("`"))
        protection = strategy.protection if strategy.guard is None else f"guard: {strategy.guard.name}"
        assert row[1] == protection, strategy.key
        assert row[2 : 2 + len(TOPOLOGIES)] == [strategy.expected(t.scope) for t in TOPOLOGIES.values()], strategy.key
        assert row[-1] == strategy.summary, strategy.key


def test_every_make_target_the_readme_names_exists() -> None:
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z0-9-]*)", README))
    assert named <= targets, named - targets
