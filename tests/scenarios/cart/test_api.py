"""The cart scenario through nginx, against the real stack: a session started, items added with its
cookie, the cart read with it; a session started by a first "add"; every bad input refused with a
4xx JSON error that leaves the cart untouched; the cookie's size limit; and the reset."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from racelab import scenarios
from racelab.core.history import cookie_header, set_cookies
from racelab.engine.client import LabClient
from tests.scenarios.support import operate, send

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("cart").strategies)
SERVER_SIDE = [name for name in STRATEGIES if name != "cookie-session"]


class Shopper:
    """A client that keeps the cookies answers set, as a browser does."""

    def __init__(self, stack: Any, strategy: str) -> None:
        self.stack, self.strategy = stack, strategy
        self.cookies: dict[str, str] = {}

    def post(self, operation: str, body: Any) -> tuple[int, Any, Any]:
        status, answer, headers = operate(self.stack, "cart", self.strategy, operation, body, self.header())
        self.cookies.update(set_cookies(dict(headers.items())))
        return status, answer, headers

    def header(self) -> dict[str, str]:
        return cookie_header(self.cookies)

    def cart(self) -> list[str]:
        status, body, _ = send(f"{self.stack.url}/api/cart/{self.strategy}", headers=self.header())
        assert status == 200, body
        return list(body["items"])


@pytest.fixture
def fresh(stack: Any) -> Any:
    LabClient(stack.url, stack.token).reset("cart")
    return stack


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_session_started_then_items_added_with_its_cookie(fresh: Any, strategy: str) -> None:
    shopper = Shopper(fresh, strategy)
    status, body, headers = shopper.post("open", {})
    assert (status, body["value"], body["strategy"]) == (200, 0, strategy)
    assert f"Path=/api/cart/{strategy}" in headers["Set-Cookie"]  # one session per strategy in a cookie jar
    assert shopper.cart() == []
    for n, item in enumerate(["pear", "apple", "pear"], start=1):
        status, body, _ = shopper.post("add", {"item": item})
        assert (status, body["value"]) == (200, min(n, 2)), body  # an item added twice is there once
    assert shopper.cart() == ["apple", "pear"]
    assert Shopper(fresh, strategy).cart() == []  # another client, no cookie: no cart


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_first_add_without_a_cookie_starts_a_session(fresh: Any, strategy: str) -> None:
    shopper = Shopper(fresh, strategy)
    status, body, headers = shopper.post("add", {"item": "plum"})
    assert (status, body["value"]) == (200, 1) and "Set-Cookie" in headers
    assert shopper.cart() == ["plum"]


BAD = [
    (b"not json", "add"),
    (b"[1]", "add"),
    (b"{}", "add"),
    (json.dumps({"item": ""}).encode(), "add"),
    (json.dumps({"item": "a b"}).encode(), "add"),
    (json.dumps({"item": 7}).encode(), "add"),
    (json.dumps({"item": "x" * 10_000}).encode(), "add"),
    (json.dumps({"item": "a", "qty": 2}).encode(), "add"),
    (json.dumps({"item": "a"}).encode(), "open"),
]


@pytest.mark.parametrize(("body", "operation"), BAD, ids=range(len(BAD)))
@pytest.mark.parametrize("strategy", ["cookie-session", "server-session", "redis-hash"])
def test_bad_input_is_a_400_json_error_and_changes_nothing(
    fresh: Any, strategy: str, body: bytes, operation: str
) -> None:
    shopper = Shopper(fresh, strategy)
    shopper.post("add", {"item": "kept"})
    before = dict(shopper.cookies)
    status, answer, headers = shopper.post(operation, body)
    assert (status, answer["error"]) == (400, "bad_request"), answer
    assert answer["message"] and len(json.dumps(answer)) < 400 and "Set-Cookie" not in headers
    assert shopper.cookies == before and shopper.cart() == ["kept"]


def test_a_cart_that_no_longer_fits_in_its_cookie_is_refused_writing_nothing(fresh: Any) -> None:
    shopper = Shopper(fresh, "cookie-session")
    shopper.post("open", {})
    added: list[str] = []
    for n in range(200):  # hashes barely compress: about 80 fit in 4 KB
        item = hashlib.sha256(str(n).encode()).hexdigest()
        status, answer, headers = shopper.post("add", {"item": item})
        if status != 200:
            break
        added.append(item)
    assert (status, answer["error"]) == (409, "cookie_full"), answer
    assert answer["size"] > answer["limit"] and "Set-Cookie" not in headers
    assert 20 < len(added) < 200 and shopper.cart() == sorted(added)


@pytest.mark.parametrize("strategy", SERVER_SIDE)
def test_the_reset_empties_carts_kept_on_the_server(fresh: Any, strategy: str) -> None:
    shopper = Shopper(fresh, strategy)
    shopper.post("add", {"item": "fig"})
    LabClient(fresh.url, fresh.token).reset("cart")
    assert shopper.cart() == []


def test_a_cart_in_a_cookie_is_out_of_the_resets_reach(fresh: Any) -> None:
    shopper = Shopper(fresh, "cookie-session")
    shopper.post("add", {"item": "fig"})
    LabClient(fresh.url, fresh.token).reset("cart")
    assert shopper.cart() == ["fig"]  # the engine starts a new session after every reset


def test_the_api_lists_the_scenario_and_its_session(fresh: Any) -> None:
    status, body, _ = send(f"{fresh.url}/api/strategies")
    cart = next(sc for sc in body["scenarios"] if sc["name"] == "cart")
    assert (status, cart["session_start"], list(cart["operations"])) == (200, "open", ["open", "add"])
    assert {s["name"] for s in cart["strategies"]} == set(STRATEGIES)


def test_routes_outside_the_cart_set_no_cookie(fresh: Any) -> None:
    """Flask's session is chosen per strategy (racelab.app.sessions): elsewhere it stays unused."""
    status, _, headers = operate(fresh, "counter", "db-atomic", "next", {})
    assert status == 200 and "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")
