"""The counter kept where Flask users are told to keep shared state, against the real stack:
``flask.g`` and Flask-Caching. (Their bursts are judged with every strategy's in
tests/scenarios/test_verdicts.py; these tests show what makes each one fail or hold.) Expected
verdicts come from the registry, for the scope the lab declares."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from racelab import scenarios
from racelab.engine.burst import burst
from racelab.engine.client import LabClient
from racelab.engine.judge import judge
from racelab.runtime import envfile
from racelab.scenarios.counter.caching import KEY_PREFIX
from racelab.topology import Scope
from tests.conftest import ROOT, Stack

pytestmark = pytest.mark.stack


@pytest.fixture
def client(stack: Stack) -> LabClient:
    lab = LabClient(stack.url, stack.token)
    lab.reset("counter")
    return lab


def one_at_a_time(client: LabClient, key: str, calls: int) -> Any:
    """``calls`` calls of one caller, each sent once the one before it was answered, judged."""
    strategy = scenarios.get(key)
    initial = client.state(strategy)
    history, _ = burst(client, strategy, callers=1, rounds=calls)
    return judge(strategy, history, initial, client.state(strategy), client.declared_scope(), 1)


def test_flask_g_hands_out_1_to_everyone_even_one_call_at_a_time(client: LabClient) -> None:
    j = one_at_a_time(client, "counter/flask-g", 4)
    assert j.concurrency == 1  # nothing raced
    assert j.expected == scenarios.get("counter/flask-g").expected(Scope[j.scope.upper()]) == "fails"
    assert (j.verdict, j.check.anomalies["duplicates"], j.check.anomalies["lost"]) == ("fails", 3, 4), j.reason


def test_a_file_cache_in_the_replicas_folder_counts_per_replica_even_one_call_at_a_time(client: LabClient) -> None:
    """nginx spreads the calls over the replicas: each replica's FileSystemCache starts at 1."""
    j = one_at_a_time(client, "counter/cache-unsafe", 6)
    assert j.expected == scenarios.get("counter/cache-unsafe").expected(Scope[j.scope.upper()]) == "fails"
    assert j.concurrency == 1 and j.observed_scope == "replicas"
    assert j.verdict == "fails" and j.check.anomalies["duplicates"] > 0, j.reason


def test_cache_inc_keeps_its_value_under_the_caches_prefix_and_the_reset_deletes_it(
    stack: Stack, client: LabClient
) -> None:
    strategy = scenarios.get("counter/cache-inc")
    history, _ = burst(client, strategy, callers=4, rounds=2)
    password = envfile.load(ROOT).get("REDIS_PASSWORD") or None
    redis = Redis(host="127.0.0.1", port=int(stack.env["REDIS_PORT"]), password=password)
    key = f"{KEY_PREFIX}counter:cache-inc"
    assert int(redis.get(key) or 0) == client.state(strategy)["value"] == len(history) == 8
    client.reset("counter")
    assert redis.exists(key) == 0 and client.state(strategy) == {"value": 0}
