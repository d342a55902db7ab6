"""Every burst mode against the real nginx of the test stack: the requests arrive (the app stamps
each), the send, arrival and start spreads are recorded per burst, and the checkers see every operation.
Nothing here asserts a timing: a spread is recorded, never compared with a number."""

from __future__ import annotations

import pytest

from racelab import scenarios
from racelab.engine import modes
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.engine.spreads import arrival_spreads_ms, send_spreads_ms, start_spreads_ms
from tests.conftest import TEST_ENV, Stack

pytestmark = pytest.mark.stack

CALLERS, ROUNDS = 12, 2


@pytest.fixture(scope="module")
def client(stack: Stack) -> LabClient:
    return LabClient(stack.url, stack.token, h2_url=f"http://127.0.0.1:{TEST_ENV['NGINX_H2_PORT']}")


@pytest.mark.parametrize("mode", list(modes.MODES))
def test_every_call_arrives_is_stamped_and_checked(client: LabClient, mode: str) -> None:
    strategy = scenarios.get("counter/redis-incr")  # safe and fast: every call must be acknowledged
    experiment = run(client, strategy, callers=CALLERS, rounds=ROUNDS, mode=mode)
    history = experiment.history
    assert len(history) == CALLERS * ROUNDS and experiment.mode == mode
    assert all(op.status == "ok" for op in history), [op.error for op in history if op.status != "ok"]
    for op in history:
        # sent and answered on the client's clock, arrived (the kernel's) and started on the
        # server's: on one host, the same clock, and each request's moments in that order
        assert op.sent is not None and op.arrived is not None and op.started is not None and op.answered is not None
        assert op.sent <= op.arrived <= op.started <= op.answered, op
    assert sorted(arrival_spreads_ms(history)) == sorted(send_spreads_ms(history)) == list(range(ROUNDS))
    assert sorted(start_spreads_ms(history)) == list(range(ROUNDS))
    j = experiment.judgement
    assert j.check.attempted == j.check.acknowledged == CALLERS * ROUNDS
    assert j.matches, j.reason  # the expected verdict is the registry's, for the scope the lab declares


@pytest.mark.parametrize("mode", list(modes.MODES))
def test_a_session_scenario_shares_its_cookies_in_every_mode(client: LabClient, mode: str) -> None:
    """cart: one shopper's concurrent clicks. A safe cart holds only if every call of a burst
    carried the session's cookie (without it each call would fill a cart of its own, and the
    final read, with the session's cookie, would miss their items)."""
    strategy = scenarios.get("cart/redis-hash")
    experiment = run(client, strategy, callers=5, rounds=2, mode=mode)
    assert all(op.status == "ok" and op.arrived is not None for op in experiment.history)
    assert experiment.judgement.matches, experiment.judgement.reason


def test_single_packet_without_a_listener_says_so() -> None:
    client = LabClient("http://127.0.0.1:9", h2_url=None)
    with pytest.raises(modes.ModeError, match="HTTP/2 listener"):
        modes.sender("single-packet", modes.Targets(client.endpoint, client.h2_endpoint))
