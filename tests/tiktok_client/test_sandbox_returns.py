"""Returns, refunds and cancellation requests through the client over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from ecomsend.integrations.tiktok import Permanent, ShopContext, TikTokClient
from ecomsend.integrations.tiktok.models.returns import ReturnSearchFilter

from .conftest import Control
from .test_sandbox_orders import live_sku, place_order

Shop = tuple[ShopContext, dict[str, Any]]


async def test_refund_request_search_approve_and_records(client: TikTokClient, control: Control,
                                                         us_shop: Shop) -> None:
    shop, view = us_shop
    sid = view["shop_id"]
    sku = await live_sku(client, control, shop, sid)
    order = await place_order(control, sid, sku, quantity=2, shipping_fee="3.00")
    await control("POST", f"/shops/{sid}/orders/{order['id']}/ship", {})
    made = await control("POST", f"/shops/{sid}/orders/{order['id']}/returns",
                         {"return_type": "REFUND"})
    found = [r async for r in client.returns.iter_returns(
        shop, ReturnSearchFilter(order_ids=[order["id"]]))]
    assert [r.return_id for r in found] == [made["return_id"]]
    ret = found[0]
    assert ret.return_status == "RETURN_OR_REFUND_REQUEST_PENDING"
    assert ret.return_type == "REFUND" and len(ret.return_line_items) == 2
    assert ret.refund_amount is not None
    assert ret.refund_amount.refund_total == order["payment"]["total_amount"]
    assert ret.seller_next_action_response[0].action == "SELLER_RESPOND_REFUND"
    reasons = await client.returns.reject_reasons(shop, ret.return_id)
    assert reasons.reasons and reasons.reasons[0].name.startswith("seller_reject_apply")
    await client.returns.approve_return(shop, ret.return_id, "APPROVE_REFUND",
                                        idempotency_key="approve-1")
    # The same key again (a resend after a lost answer) is a success, not an error.
    await client.returns.approve_return(shop, ret.return_id, "APPROVE_REFUND",
                                        idempotency_key="approve-1")
    page = await client.returns.search_returns(
        shop, filters=ReturnSearchFilter(return_ids=[ret.return_id]))
    assert page.return_orders[0].return_status == "RETURN_OR_REFUND_REQUEST_SUCCESS"
    records = await client.returns.return_records(shop, ret.return_id)
    assert [r.role for r in records.records] == ["BUYER", "SELLER"]
    with pytest.raises(Permanent) as err:
        await client.returns.reject_return(shop, ret.return_id, "REJECT_REFUND",
                                           reasons.reasons[0].name, idempotency_key="rej-1")
    assert err.value.code == 25020010
    with pytest.raises(ValueError):
        await client.returns.search_returns(shop, page_size=5)


async def test_cancellation_request_rejected_with_a_reason(client: TikTokClient,
                                                          control: Control,
                                                          us_shop: Shop) -> None:
    shop, view = us_shop
    sid = view["shop_id"]
    sku = await live_sku(client, control, shop, sid)
    order = await place_order(control, sid, sku, quantity=1)
    req = await control("POST", f"/shops/{sid}/orders/{order['id']}/cancel",
                        {"request_only": True})
    reasons = await client.returns.reject_reasons(shop, req["cancel_id"])
    await client.returns.reject_cancellation(shop, req["cancel_id"], reasons.reasons[0].name,
                                             idempotency_key="c-1", comment="packed already")
    page = await client.returns.search_cancellations(shop)
    mine = [c for c in page.cancellations if c.cancel_id == req["cancel_id"]]
    assert mine[0].cancel_status == "CANCELLATION_REQUEST_CANCELLED"
    other = await place_order(control, sid, sku, quantity=1)
    req2 = await control("POST", f"/shops/{sid}/orders/{other['id']}/cancel",
                         {"request_only": True})
    await client.returns.approve_cancellation(shop, req2["cancel_id"], idempotency_key="c-2")
    detail = await client.orders.get_order_detail(shop, [other["id"]])
    assert detail.orders[0].status == "CANCELLED"
