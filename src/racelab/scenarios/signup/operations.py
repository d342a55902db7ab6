"""What a client may ask of the signup scenario, and the refusal every strategy shares.

``POST /api/signup/<strategy>/register`` with ``{"username": "<name>"}``. The body is checked
here, before any store is touched: a malformed body or name (a number, 65 characters, a 10 KB
string, a space...) is a 400 (:class:`~racelab.core.scenario.BadInput`). The strategies refuse a
name that is already taken with a 409 (:class:`UsernameTaken`), before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import only_fields, short_name
from racelab.core.strategy import Refused

FIELDS = ("username",)


class UsernameTaken(Refused):
    """Another account already has this name: the one refusal a correct sign-up gives the losers."""

    status = 409

    def __init__(self, username: str) -> None:
        super().__init__(
            "username_taken",
            f"the username {username!r} is taken; choose another; nothing was written",
            username=username,
        )


def parse_register(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body as the strategies' arguments: ``username``, 1 to 64 of ``[A-Za-z0-9_.-]``."""
    only_fields(body, FIELDS, 'a sign-up takes only "username"')
    return {"username": short_name(body, "username")}


def lock_keys(op: str, args: Mapping[str, Any]) -> list[str]:
    """Guards serialise the sign-ups of one name; different names never wait for each other."""
    return [f"username-{args['username']}"]
