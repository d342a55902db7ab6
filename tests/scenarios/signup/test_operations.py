"""The signup's argument: a username, checked before any store."""

from __future__ import annotations

import pytest

from racelab.core.scenario import BadInput
from racelab.scenarios.signup.operations import UsernameTaken, parse_register


def test_a_username_is_1_to_64_letters_digits_underscores_dots_or_dashes() -> None:
    assert parse_register({"username": "a"}) == {"username": "a"}
    assert parse_register({"username": "A.b_c-9" + "x" * 57}) == {"username": "A.b_c-9" + "x" * 57}
    for bad in ("", "x" * 65, "a b", "a/b", "é", 42, None):
        with pytest.raises(BadInput, match="username"):
            parse_register({"username": bad})


def test_nothing_else_is_accepted_and_long_values_are_cut_short() -> None:
    with pytest.raises(BadInput, match="unexpected field 'admin'"):
        parse_register({"username": "a", "admin": True})
    with pytest.raises(BadInput) as info:
        parse_register({"username": "x" * 10_000})
    assert len(str(info.value)) < 300 and "10000 characters" in str(info.value)


def test_a_taken_name_is_a_409_that_names_it() -> None:
    refusal = UsernameTaken("alice")
    assert (refusal.status, refusal.code, refusal.extra) == (409, "username_taken", {"username": "alice"})
