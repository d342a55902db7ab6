"""What a client may ask of the inventory scenario, and the refusals every strategy shares.

``POST /api/inventory/<strategy>/buy`` with ``{"product": <id>}``. The argument is checked here,
before any store is touched: a malformed body is a 400 (:class:`~racelab.core.scenario.BadInput`),
a product id no reset can create is a 404 (:class:`UnknownProduct`). The strategies refuse the
rest with the same classes, always before anything is written (or by rolling back what was): a
product beyond this lab's ``products`` is a 404, a product with no stock left a 409
(:class:`SoldOut`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.scenario import BadInput, only_fields, shown
from racelab.core.strategy import Refused

DEFAULT_STOCK = 20
MAX_STOCK = 1_000_000
DEFAULT_PRODUCTS = 100
MAX_PRODUCTS = 10_000
FIELDS = ("product",)


class UnknownProduct(Refused):
    """No product has this id (ids run from 0 to the ``products`` of the last reset, exclusive)."""

    status = 404

    def __init__(self, product: int) -> None:
        # A 4000-digit id must not come back whole, in the message or as a field.
        extra = {"product": product} if product.bit_length() < 64 else {}
        super().__init__(
            "unknown_product",
            f"there is no product {shown(product)}; products are numbered from 0 to the lab's `products` "
            "parameter minus one (see POST /api/lab/reset); nothing was written",
            **extra,
        )


class SoldOut(Refused):
    """The product's stock is used up: the one refusal a correct shop gives the late buyers."""

    status = 409

    def __init__(self, product: int, stock: int | None = None) -> None:
        extra: dict[str, Any] = {"product": product}
        if stock is not None:
            extra["stock"] = stock
        super().__init__("sold_out", f"product {product} is sold out; nothing was written", **extra)


def parse_buy(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body as the strategies' arguments: ``product``, a whole number from 0.

    Malformed input (400) is reported before an unknown product (404); an id at or beyond
    :data:`MAX_PRODUCTS` is unknown without asking the store (a 40-digit number cannot overflow
    its integer column)."""
    only_fields(body, FIELDS, 'a purchase takes only "product"')
    product = body.get("product")
    if product is None:
        raise BadInput("product is required: the id of the product to buy, a whole number from 0")
    if isinstance(product, bool) or not isinstance(product, int):
        raise BadInput(f"product must be a whole number (a product id from 0), got {shown(product)}")
    if product < 0:
        raise BadInput(f"product must be 0 or more, got {product}")
    if product >= MAX_PRODUCTS:
        raise UnknownProduct(product)
    return {"product": product}


def lock_keys(op: str, args: Mapping[str, Any]) -> list[str]:
    """Guards serialise the buyers of one product; different products never wait for each other."""
    return [f"product-{args['product']}"]
