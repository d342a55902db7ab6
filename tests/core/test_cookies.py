"""The client's cookies in the history: what an answer set, and the session a client ends up with."""

from __future__ import annotations

from racelab.core.history import Call, Op, classify, cookie_header, session_cookies, set_cookies


def answered(at: float, **cookies: str) -> Op:
    return Op("add", {}, "ok", 1, answered=at, cookies=dict(cookies))


def test_an_answer_records_the_cookie_it_sets_whatever_its_status() -> None:
    headers = {"set-cookie": "session=eyJhIjoxfQ.x.y; HttpOnly; Path=/api/cart/cookie-session"}
    assert set_cookies(headers) == {"session": "eyJhIjoxfQ.x.y"}
    assert classify(Call("add"), 200, {"value": 1}, headers).cookies == {"session": "eyJhIjoxfQ.x.y"}
    assert classify(Call("add"), 409, {"error": "cookie_full"}, headers).cookies == {"session": "eyJhIjoxfQ.x.y"}
    assert classify(Call("add"), 200, {"value": 1}, {"Content-Type": "application/json"}).cookies == {}


def test_a_deleted_cookie_is_recorded_empty_and_garbage_is_ignored() -> None:
    deleted = "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    assert set_cookies({"Set-Cookie": deleted}) == {"session": ""}
    assert set_cookies({"Set-Cookie": "\x00;;="}) == {}


def test_the_answer_received_last_wins_name_by_name_and_a_deleted_cookie_goes() -> None:
    history = [answered(3.0, session="third"), answered(1.0, session="first", other="x"), answered(2.0)]
    assert session_cookies(history, {"session": "start"}) == {"session": "third", "other": "x"}
    assert session_cookies([answered(4.0, session="")], {"session": "start"}) == {}
    assert session_cookies([], {"session": "start"}) == {"session": "start"}


def test_the_cookie_header_sends_every_cookie_held() -> None:
    assert cookie_header({"a": "1", "b": "2"}) == {"Cookie": "a=1; b=2"}
    assert cookie_header({}) == cookie_header(None) == {}
