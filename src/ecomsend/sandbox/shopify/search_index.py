"""The orders search index, which lags behind writes (reference §9: "Search indexing may lag a
few seconds behind creation").

Shopify serves `orders(query:)` and `ordersCount(query:)` from a search index that is updated
asynchronously, so a just-created order is not found by `source_identifier:` for a few seconds,
and a just-changed order is found by its *old* tags/status. The sandbox models this with versions:
each time an order's `updated_at` moves, the searchable values are snapshotted and become
visible `lag_s` seconds after that `updated_at`. A search matches against the newest visible
snapshot of each order (an order with none is not found) and returns the live order.

Snapshots are taken at the end of every GraphQL mutation that can change orders (`observe`,
called by the executor; ORDER_MUTATIONS) and lazily before each search, so a merchant edit
made through the control API is indexed too.
The lag is `Sandbox.search_lag_s` (create_app option `search_lag_s`, default 3 s; control API
`PUT /_sandbox/settings`). 0 turns it off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecomsend.sandbox.shopify.store import Order, Shop
from ecomsend.sandbox.shopify.util import now

#: Default lag of the orders search index, in seconds ("a few seconds", reference §9).
DEFAULT_SEARCH_LAG_S = 3.0
Getter = Callable[[Any], Any]
#: Mutations after which the executor snapshots changed orders (others cannot change them).
ORDER_MUTATIONS = frozenset({"orderCreate", "orderUpdate", "orderCancel", "orderMarkAsPaid",
                             "tagsAdd", "tagsRemove", "fulfillmentCreate",
                             "fulfillmentTrackingInfoUpdate"})


@dataclass
class _Versions:
    """Snapshots of one order's searchable values, (visible_at, values), oldest first; `seen`
    is the `updated_at` last snapshotted."""

    seen: float = -1.0
    items: list[tuple[float, dict[str, Any]]] = field(default_factory=list)


class OrderIndex:
    """One shop's lagging orders index (kept on `Shop.search_index`)."""

    def __init__(self) -> None:
        """Empty: nothing indexed yet."""
        self.orders: dict[int, _Versions] = {}

    def observe(self, shop: Shop, fields: dict[str, Getter], lag_s: float) -> None:
        """Snapshot every order whose `updated_at` moved since the last look."""
        for order in shop.orders.values():
            versions = self.orders.get(order.id)
            if versions is None:
                versions = self.orders[order.id] = _Versions()
            elif order.updated_at == versions.seen:
                continue
            versions.seen = order.updated_at
            values = {name: get(order) for name, get in fields.items()}
            visible_at = order.updated_at + lag_s
            versions.items.append((visible_at, values))

    def visible(self, order: Order, at: float) -> dict[str, Any] | None:
        """The newest snapshot of `order` visible at `at` (older ones are pruned), or None."""
        versions = self.orders.get(order.id)
        if versions is None:
            return None
        ready = [i for i, (visible_at, _) in enumerate(versions.items) if visible_at <= at]
        if not ready:
            return None
        del versions.items[: ready[-1]]
        return versions.items[0][1]


def index_of(shop: Shop) -> OrderIndex:
    """The shop's orders index (created on first use)."""
    if shop.search_index is None:
        shop.search_index = OrderIndex()
    assert isinstance(shop.search_index, OrderIndex)
    return shop.search_index


def _value_of(name: str) -> Getter:
    """A getter reading field `name` from a snapshot."""
    return lambda snapshot: snapshot[name]


def search_orders(shop: Shop, fields: dict[str, Getter], lag_s: float,
                  match_factory: Callable[[dict[str, Getter]], Callable[[Any], bool]]
                  ) -> list[Order]:
    """The live orders whose visible snapshot matches; `match_factory(fields)` builds the
    predicate over snapshots (values looked up by field name)."""
    if lag_s <= 0:
        match = match_factory(fields)
        return [o for o in shop.orders.values() if match(o)]
    index = index_of(shop)
    index.observe(shop, fields, lag_s)
    snap_fields: dict[str, Getter] = {name: _value_of(name) for name in fields}
    match = match_factory(snap_fields)
    at = now()
    out = []
    for order in shop.orders.values():
        values = index.visible(order, at)
        if values is not None and match(values):
            out.append(order)
    return out
