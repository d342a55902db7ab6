"""What a client may ask of the cart scenario, and the one refusal a strategy may answer.

``POST /api/cart/<strategy>/open`` (no body, or ``{}``) starts a session with an empty cart: the
answer's ``Set-Cookie`` is the session. ``POST /api/cart/<strategy>/add`` with
``{"item": "<1-64 of A-Z a-z 0-9 _ . ->"}`` adds that item to the cart of the session its
``Cookie`` header names (a request without one starts a new session, as a shop does on a first
visit); adding an item already in the cart leaves one. Its value is how many items the cart held
as that request left it. ``GET /api/cart/<strategy>`` with the same cookie reads the cart.
The body is checked here, before any store is touched (a 400, nothing written).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import only_fields, short_name
from racelab.core.strategy import Refused


class CookieFull(Refused):
    """The cart no longer fits in one cookie; nothing was added (the cookie is left as it was)."""

    status = 409

    def __init__(self, item: str, size: int, limit: int) -> None:
        super().__init__(
            "cookie_full",
            f"adding {item!r} would make the session cookie {size} bytes, over the {limit} it may take (a browser "
            "keeps 4 KB per cookie; nginx reads an answer's headers into a 4 KB buffer): nothing was added; a cart "
            "this size belongs in a server-side store",
            item=item,
            size=size,
            limit=limit,
        )


def parse_open(body: Mapping[str, Any]) -> dict[str, Any]:
    only_fields(body, (), "opening a cart takes no fields")
    return {}


def parse_add(body: Mapping[str, Any]) -> dict[str, Any]:
    only_fields(body, ("item",), 'adding to the cart takes only "item"')
    return {"item": short_name(body, "item")}
