"""Order and fulfillment operations of `ShopifyClient` (reference §9, §10).

A mixin so `client.py` stays small; it needs only the client's `_gql` transport. Called by the
order sync (TikTok → Shopify) and the fulfillment sync (both directions).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ecomsend.integrations.shopify import parsing
from ecomsend.integrations.shopify.errors import Permanent, Transient
from ecomsend.integrations.shopify.models import (
    Fulfillment,
    InventoryBehaviour,
    Order,
    TrackingInfo,
)
from ecomsend.integrations.shopify.responses import mutation_payload
from ecomsend.integrations.shopify.transport import GraphQLTransport

#: Attempts of create_order_once when a create failed ambiguously (sent, answer lost).
CREATE_ONCE_ATTEMPTS = 6
#: How long create_order_once keeps looking for an order whose create answer was lost.
SEARCH_LAG_S = 10.0

#: Fulfillment-order line items to fulfil: `{fulfillment_order_id: [(fo_line_item_id, qty)]}`;
#: an empty list fulfils everything remaining on that fulfillment order (reference §10).
FulfillmentLines = Mapping[str, Sequence[tuple[str, int]]]


def search_term(field: str, value: str) -> str:
    """One Shopify search-syntax term, quoting the value (reference §9: `source_identifier:`,
    `tag:`). Quotes and backslashes are escaped so a value cannot widen the search."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{field}:"{escaped}"'


def tracking_input(tracking: TrackingInfo) -> dict[str, Any]:
    """`FulfillmentTrackingInput`: company must be sent exactly as Shopify lists it; a `url`
    needs a `number` (reference §10)."""
    body: dict[str, Any] = {}
    if tracking.company:
        body["company"] = tracking.company
    if tracking.number:
        body["number"] = tracking.number
        if tracking.url:
            body["url"] = tracking.url
    return body


class OrderOperations:
    """orderCreate, order lookups, orderCancel, fulfillmentCreate, tracking updates."""

    _gql: GraphQLTransport

    async def create_order(
        self,
        order: Mapping[str, Any],
        *,
        inventory_behaviour: InventoryBehaviour = "DECREMENT_OBEYING_POLICY",
        send_receipt: bool = False,
        send_fulfillment_receipt: bool = False,
    ) -> Order:
        """`orderCreate` with an `OrderCreateOrderInput` (tags, customAttributes, sourceName,
        sourceIdentifier, lineItems, transactions…). Not idempotent (reference §9): a failure
        after sending raises Transient(ambiguous=True): the caller must find the order before
        sending it again (sync.orders.push keeps a create intent for that)."""
        options = {"inventoryBehaviour": inventory_behaviour, "sendReceipt": send_receipt,
                   "sendFulfillmentReceipt": send_fulfillment_receipt}
        data = await self._gql.execute("OrderCreate", {"order": dict(order), "options": options},
                                       retry_ambiguous=False)
        payload = mutation_payload(data, "orderCreate")
        return parsing.parse_order(payload["order"])

    async def create_order_once(
        self, order: Mapping[str, Any], *,
        inventory_behaviour: InventoryBehaviour = "DECREMENT_OBEYING_POLICY",
        search_lag_s: float = SEARCH_LAG_S,
    ) -> Order:
        """Create the order unless one with its `sourceIdentifier` is found (reference §9:
        look up before create, and again after an ambiguous failure).

        Shopify's order search lags behind writes (reference §9 "Search indexing may lag a few
        seconds behind creation"), so after an ambiguous failure (sent, answer lost) the order
        is looked up with backoff for `search_lag_s` before it is sent again. This holds
        within one call only: a second call, or another process, right after a create can
        miss the order while the index lags. The order sync therefore keeps a durable create
        intent (sync.orders.push) and does not use this helper."""
        source_id = order.get("sourceIdentifier")
        if not source_id:
            raise Permanent("create_order_once needs order['sourceIdentifier']")
        existing = await self.find_order_by_source_identifier(str(source_id))
        last: Transient | None = None
        for _ in range(CREATE_ONCE_ATTEMPTS):
            if existing is not None:
                return existing
            try:
                return await self.create_order(order, inventory_behaviour=inventory_behaviour)
            except Transient as exc:
                if not exc.ambiguous:
                    raise
                last = exc
            existing = await self._find_within(str(source_id), search_lag_s)
        assert last is not None
        raise last

    async def _find_within(self, source_id: str, window_s: float) -> Order | None:
        """Look the order up with backoff (0.25, 0.5, 1 … s) until found or `window_s` is over."""
        deadline = time.monotonic() + window_s
        delay = 0.25
        while True:
            found = await self.find_order_by_source_identifier(source_id)
            left = deadline - time.monotonic()
            if found is not None or left <= 0:
                return found
            await asyncio.sleep(min(delay, left))
            delay *= 2

    async def find_orders(self, query: str, first: int = 5) -> list[Order]:
        """Orders matching a search query, newest first (no line items or fulfillments)."""
        data = await self._gql.execute("OrdersSearch", {"query": query, "first": first})
        return [parsing.parse_order(n) for n in parsing.nodes(data["orders"])]

    async def find_order_by_source_identifier(self, source_identifier: str) -> Order | None:
        """The order imported with this `sourceIdentifier` (the TikTok order id), if any."""
        found = await self.find_orders(search_term("source_identifier", source_identifier), 5)
        return next((o for o in found if o.source_identifier == source_identifier), None)

    async def find_orders_by_tag(self, tag: str, first: int = 5) -> list[Order]:
        """Orders carrying `tag` (exact match re-checked: Shopify's tag search is loose)."""
        found = await self.find_orders(search_term("tag", tag), first)
        return [o for o in found if tag in o.tags]

    async def order(self, order_id: str) -> Order | None:
        """One order with line items, fulfillment orders and fulfillments; None if unknown."""
        data = await self._gql.execute("Order", {"id": order_id})
        node = data.get("order")
        return None if node is None else parsing.parse_order(node)

    async def cancel_order(
        self, order_id: str, *, reason: str = "OTHER", restock: bool = True,
        notify_customer: bool = False, staff_note: str | None = None,
    ) -> str | None:
        """`orderCancel` (asynchronous in Shopify: returns the job id, if any). Errors come in
        `orderCancelUserErrors`; `userErrors` is deprecated there."""
        data = await self._gql.execute("OrderCancel", {
            "orderId": order_id, "reason": reason, "restock": restock,
            "notifyCustomer": notify_customer, "staffNote": staff_note,
        })
        payload = mutation_payload(data, "orderCancel", "orderCancelUserErrors")
        job = payload.get("job") or {}
        return job.get("id")

    async def create_fulfillment(
        self, lines: FulfillmentLines, tracking: TrackingInfo | None = None, *,
        notify_customer: bool = False,
    ) -> Fulfillment:
        """`fulfillmentCreate` for fulfillment orders of one order and one location, with
        tracking. Not idempotent: an ambiguous failure raises; re-read the order first."""
        by_fo = []
        for fo_id, items in lines.items():
            entry: dict[str, Any] = {"fulfillmentOrderId": fo_id}
            if items:
                entry["fulfillmentOrderLineItems"] = [{"id": i, "quantity": q} for i, q in items]
            by_fo.append(entry)
        body: dict[str, Any] = {"lineItemsByFulfillmentOrder": by_fo,
                                "notifyCustomer": notify_customer}
        if tracking is not None:
            body["trackingInfo"] = tracking_input(tracking)
        data = await self._gql.execute("FulfillmentCreate", {"fulfillment": body},
                                       retry_ambiguous=False)
        payload = mutation_payload(data, "fulfillmentCreate")
        return parsing.parse_fulfillment(payload["fulfillment"])

    async def update_tracking(
        self, fulfillment_id: str, tracking: TrackingInfo, *, notify_customer: bool = False
    ) -> Fulfillment:
        """`fulfillmentTrackingInfoUpdate`: replace the tracking of a fulfillment (idempotent)."""
        data = await self._gql.execute("FulfillmentTrackingInfoUpdate", {
            "fulfillmentId": fulfillment_id, "tracking": tracking_input(tracking),
            "notifyCustomer": notify_customer,
        })
        payload = mutation_payload(data, "fulfillmentTrackingInfoUpdate")
        return parsing.parse_fulfillment(payload["fulfillment"])
