"""TikTok return → Shopify `RefundInput` (pure; called by `to_shopify`).

- Lines: each TikTok line item is one unit; units of one SKU become one Shopify line item of
  the linked variant, counted.
- Restock (order setting "Restock on refund"): only when the items come back
  (RETURN_AND_REFUND) — a refund-only request lets the buyer keep them (Search Returns:
  "The buyer is not required to send the item(s) back"), so nothing goes back on the shelf.
  Fulfilled units restock as RETURN, unfulfilled ones as CANCEL (refundCreate's
  RefundLineItemRestockType descriptions), at the location that fulfils them.
- Money: one REFUND transaction of TikTok's `refund_total` on the gateway the order was imported
  with; TikTok itself pays the buyer, Shopify records it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ecomsend.integrations.shopify.models import Order as ShopifyOrder
from ecomsend.sync.orders.mapping import GATEWAY

#: The note every refund we make starts with: how a refunds/create webhook is told apart from
#: a refund the merchant made in Shopify, and how a retry finds a refund it already made.
NOTE_PREFIX = "TikTok Shop return "
RETURNED_TYPES = frozenset({"RETURN_AND_REFUND"})


class UnmappedLines(ValueError):
    """Some refunded TikTok units have no Shopify line item to refund."""


@dataclass(frozen=True)
class ReturnToRefund:
    """What the mapping needs to know about one TikTok return."""

    return_id: str
    return_type: str
    reason: str | None
    currency: str | None
    refund_total: Decimal | None
    #: TikTok sku_id of each refunded unit.
    unit_skus: Sequence[str]


def refund_note(return_id: str, return_type: str, reason: str | None) -> str:
    """The refund's note, starting with NOTE_PREFIX + the return id."""
    text = f"{NOTE_PREFIX}{return_id} ({return_type.replace('_', ' ').lower()})"
    return (text + (f": {reason}" if reason else ""))[:255]


def is_ours(note: str | None, return_id: str | None = None) -> bool:
    """Whether a Shopify refund's note says our sync made it (for this return, if given)."""
    if not note or not note.startswith(NOTE_PREFIX):
        return False
    if return_id is None:
        return True
    rest = note[len(NOTE_PREFIX):]
    return rest == return_id or rest.startswith(return_id + " ")


def idempotency_key(tts_pk: int, return_id: str) -> str:
    """One key per TikTok return and connection: a replay can never make a second refund."""
    return f"ecomsend-{tts_pk}-return-{return_id}"


def _unfulfilled(order: ShopifyOrder) -> dict[str, tuple[int, str | None]]:
    """Shopify line item id → (units still to fulfil, location of its fulfillment order)."""
    out: dict[str, tuple[int, str | None]] = {}
    for fo in order.fulfillment_orders:
        for li in fo.line_items:
            if li.line_item_id is None:
                continue
            left, loc = out.get(li.line_item_id, (0, None))
            out[li.line_item_id] = (left + li.remaining_quantity, loc or fo.location_id)
    return out


def refund_lines(ret: ReturnToRefund, order: ShopifyOrder, variant_by_sku: Mapping[str, str],
                 restock: bool) -> list[dict[str, object]]:
    """`refundLineItems` for the return's units (UnmappedLines when a unit has no line)."""
    by_variant = {li.variant_id: li for li in order.line_items if li.variant_id}
    counts: Counter[str] = Counter()
    missing = []
    for sku in ret.unit_skus:
        line = by_variant.get(variant_by_sku.get(sku, ""))
        if line is None:
            missing.append(sku)
        else:
            counts[line.id] += 1
    if missing:
        raise UnmappedLines(", ".join(sorted(set(missing))))
    pending = _unfulfilled(order)
    quantities = {li.id: li.quantity for li in order.line_items}
    out: list[dict[str, object]] = []
    for line_id, qty in counts.items():
        if not (restock and ret.return_type in RETURNED_TYPES):
            out.append({"lineItemId": line_id, "quantity": qty, "restockType": "NO_RESTOCK"})
            continue
        left, location = pending.get(line_id, (0, None))
        fulfilled = quantities[line_id] - left
        as_return, as_cancel = min(qty, fulfilled), qty - min(qty, fulfilled)
        for restock_type, n in (("RETURN", as_return), ("CANCEL", as_cancel)):
            if n:
                entry: dict[str, object] = {"lineItemId": line_id, "quantity": n,
                                            "restockType": restock_type}
                if location:
                    entry["locationId"] = location
                out.append(entry)
    return out


def build_refund_input(ret: ReturnToRefund, order: ShopifyOrder,
                       variant_by_sku: Mapping[str, str], restock: bool) -> dict[str, object]:
    """The `RefundInput` for one TikTok return on its Shopify order."""
    body: dict[str, object] = {
        "orderId": order.id, "notify": False,
        "note": refund_note(ret.return_id, ret.return_type, ret.reason),
        "refundLineItems": refund_lines(ret, order, variant_by_sku, restock),
    }
    if ret.refund_total and ret.refund_total > 0:
        body["transactions"] = [{"orderId": order.id, "kind": "REFUND", "gateway": GATEWAY,
                                 "amount": f"{ret.refund_total:.2f}"}]
    if ret.currency:
        body["currency"] = ret.currency
    return body
