"""Why an order or one of its fulfillments is stuck, and the one action that fixes it (pure).

The Orders page shows each `Problem` in the order's row with a button for its `FixAction`:
- an item whose TikTok SKU is not linked → `link_item` (Link products, SKU prefilled);
- no carrier mapping for the tracking company → `carrier_mapping` (Settings › Fulfillment);
- the TikTok connection is disconnected → `reconnect` (Settings › Connections);
- the order never reached Shopify, so its fulfillment cannot → `sync_order`;
- the order was never fetched → `fetch` (Fetch now);
- anything else that failed → `retry`.
Called by `overview.list_orders` with the statuses the list query computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

FixKind = Literal["link_item", "carrier_mapping", "reconnect", "sync_order", "fetch", "retry"]
Where = Literal["order", "to_tiktok", "to_shopify"]
#: Statuses whose row shows a problem.
FAILING = frozenset({"failed", "backoff", "review_failed"})
#: Order statuses in which an unlinked item will stop the import.
IMPORT_AHEAD = frozenset({"not_synced", "waiting", "pending", "backoff", "failed",
                          "review_failed"})
LINE_FIELD = "line_items."


@dataclass(frozen=True)
class FixAction:
    kind: FixKind
    label: str
    #: For `link_item`: the TikTok SKU to link, and its seller SKU (the search to prefill).
    sku_id: str | None = None
    seller_sku: str | None = None


@dataclass(frozen=True)
class Problem:
    where: Where
    message: str
    action: FixAction


@dataclass(frozen=True)
class UnlinkedItem:
    sku_id: str
    seller_sku: str | None
    product_name: str | None


def _error_message(error: dict[str, Any] | None, fallback: str) -> str:
    message = (error or {}).get("message")
    return str(message) if message else fallback


def _error_skus(error: dict[str, Any] | None) -> set[str]:
    fields = (error or {}).get("field_errors") or []
    return {str(f.get("field", ""))[len(LINE_FIELD):] for f in fields
            if isinstance(f, dict) and str(f.get("field", "")).startswith(LINE_FIELD)}


def action_for(message: str, where: Where) -> FixAction:
    """The fix for a failure other than an unlinked item, read from our own messages."""
    text = message.lower()
    if "carrier mapping" in text:
        return FixAction("carrier_mapping", "Edit carrier mapping")
    if "disconnected" in text or "reconnect" in text:
        return FixAction("reconnect", "Reconnect TikTok Shop")
    if where != "order" and "not synced to shopify yet" in text:
        return FixAction("sync_order", "Sync order")
    if "has not been fetched yet" in text:
        return FixAction("fetch", "Fetch orders now")
    return FixAction("retry", "Retry")


def _link(item: UnlinkedItem) -> Problem:
    name = item.product_name or "An item"
    sku = f" (seller SKU {item.seller_sku})" if item.seller_sku else f" (TikTok SKU {item.sku_id})"
    return Problem("order", f"{name}{sku} is not linked to a Shopify variant.",
                   FixAction("link_item", "Link this item", item.sku_id, item.seller_sku))


def problems(order_status: str, order_error: dict[str, Any] | None,
             fulfillment: Sequence[tuple[Where, str, dict[str, Any] | None]],
             unlinked: Sequence[UnlinkedItem]) -> list[Problem]:
    """Every problem of one order, in the order the merchant should fix them."""
    out: list[Problem] = []
    if order_status in IMPORT_AHEAD:
        out.extend(_link(item) for item in unlinked)
    if order_status in FAILING:
        still_unlinked = {i.sku_id for i in unlinked}
        named = _error_skus(order_error)
        if not named or not named <= still_unlinked:
            # Not (only) an unlinked item, or the items were linked since: say what failed.
            message = _error_message(order_error, "The order could not be synced to Shopify.")
            action = (FixAction("retry", "Retry") if named
                      else action_for(message, "order"))
            out.append(Problem("order", message, action))
    for where, status, error in fulfillment:
        if status in FAILING:
            message = _error_message(error, "The fulfillment could not be synced.")
            out.append(Problem(where, message, action_for(message, where)))
    return out
