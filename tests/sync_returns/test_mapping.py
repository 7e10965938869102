"""The pure parts of the return sync: TikTok return → Shopify RefundInput, our refund marker,
and which of two reads of one request wins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomsend.integrations.shopify.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    OrderLineItem,
)
from ecomsend.sync.returns import mapping
from ecomsend.sync.returns.mirror import stage

ORDER = Order(
    id="gid://shopify/Order/1", name="#1001", tags=(), source_name="tiktok",
    source_identifier="576", created_at=None, cancelled_at=None, financial_status="PAID",
    fulfillment_status=None,
    line_items=(OrderLineItem("gid://shopify/LineItem/10", "A", 3, "gid://shopify/ProductVariant/1"),
                OrderLineItem("gid://shopify/LineItem/11", "B", 1, "gid://shopify/ProductVariant/2")),
    fulfillment_orders=(FulfillmentOrder("gid://shopify/FulfillmentOrder/5", "IN_PROGRESS",
                                         "gid://shopify/Location/7", (
        FulfillmentOrderLineItem("gid://shopify/FulfillmentOrderLineItem/1", 1, 3, "A",
                                 "gid://shopify/LineItem/10"),
        FulfillmentOrderLineItem("gid://shopify/FulfillmentOrderLineItem/2", 0, 1, "B",
                                 "gid://shopify/LineItem/11"))),))
VARIANTS = {"sku-a": "gid://shopify/ProductVariant/1", "sku-b": "gid://shopify/ProductVariant/2"}


def _ret(kind: str, skus: list[str], total: str = "30.00") -> mapping.ReturnToRefund:
    return mapping.ReturnToRefund("4036", kind, "Damaged", "USD", Decimal(total), skus)


def test_a_return_restocks_fulfilled_units_as_returns_and_the_rest_as_cancels() -> None:
    body = mapping.build_refund_input(_ret("RETURN_AND_REFUND", ["sku-a"] * 3 + ["sku-b"]),
                                      ORDER, VARIANTS, restock=True)
    lines = {(x["lineItemId"], x["restockType"]): x["quantity"]
             for x in body["refundLineItems"]}  # type: ignore[union-attr]
    # 3 units of A, 2 of them fulfilled (1 remaining on the fulfillment order).
    assert lines == {("gid://shopify/LineItem/10", "RETURN"): 2,
                     ("gid://shopify/LineItem/10", "CANCEL"): 1,
                     ("gid://shopify/LineItem/11", "RETURN"): 1}
    assert all(x["locationId"] == "gid://shopify/Location/7"
               for x in body["refundLineItems"])  # type: ignore[union-attr]
    assert body["transactions"] == [{"orderId": ORDER.id, "kind": "REFUND",
                                     "gateway": "TikTok Shop", "amount": "30.00"}]
    assert str(body["note"]).startswith("TikTok Shop return 4036 (return and refund)")


@pytest.mark.parametrize("restock", [True, False])
def test_refund_only_never_restocks(restock: bool) -> None:
    body = mapping.build_refund_input(_ret("REFUND", ["sku-a"]), ORDER, VARIANTS, restock)
    assert body["refundLineItems"] == [{"lineItemId": "gid://shopify/LineItem/10",
                                        "quantity": 1, "restockType": "NO_RESTOCK"}]


def test_restock_off_and_no_money() -> None:
    body = mapping.build_refund_input(_ret("RETURN_AND_REFUND", ["sku-b"], "0"), ORDER,
                                      VARIANTS, restock=False)
    assert body["refundLineItems"] == [{"lineItemId": "gid://shopify/LineItem/11",
                                        "quantity": 1, "restockType": "NO_RESTOCK"}]
    assert "transactions" not in body


def test_a_unit_without_a_shopify_line_is_refused() -> None:
    with pytest.raises(mapping.UnmappedLines, match="sku-z"):
        mapping.build_refund_input(_ret("REFUND", ["sku-a", "sku-z"]), ORDER, VARIANTS, True)


def test_our_marker_and_key() -> None:
    note = mapping.refund_note("4036", "REFUND", "x" * 400)
    assert len(note) == 255 and mapping.is_ours(note, "4036")
    assert mapping.is_ours(note) and not mapping.is_ours(note, "403")
    assert not mapping.is_ours("Goodwill refund") and not mapping.is_ours(None)
    assert mapping.idempotency_key(3, "4036") == mapping.idempotency_key(3, "4036")
    assert mapping.idempotency_key(3, "4036") != mapping.idempotency_key(4, "4036")


def test_the_further_status_wins_a_same_second_tie() -> None:
    order = ["RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM",
             "RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"]
    assert [stage(s) for s in order] == sorted(stage(s) for s in order)
    assert stage("REFUND_OR_RETURN_REQUEST_REJECT") > stage("RETURN_OR_REFUND_REQUEST_PENDING")
