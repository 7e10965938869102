"""Orders page, returns and refunds: TikTok refund requests appear with their state badge; the
merchant approves one (it becomes a Shopify refund, shown Synced) and rejects another with one
of TikTok's reasons picked in a Modal — in a real browser against both sandboxes."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack, Merchant

from .app_api import api, connection_id
from .conftest import axe_violations, connected_shop, shot
from .links_orders_helpers import close_toasts, listing, place_order, variants

DOMAIN = "returns-ui.myshopify.com"


async def _shipped_synced(page: Page, stack: LocalStack, merchant: Merchant, tts_id: str,
                          sku_id: str) -> dict[str, Any]:
    """A TikTok order synced into Shopify, then shipped by TikTok (returns come after)."""
    order = await place_order(merchant, tts_id, sku_id)
    async with asyncio.timeout(30):
        while True:  # 404 until the order webhook's fetch has run
            got = await page.request.get(f"{stack.app_url}/api/orders/{order['id']}")
            if got.ok and (await got.json())["order_sync"]["status"] == "synced":
                break
            await asyncio.sleep(0.2)
    shipped = await merchant.browser.post(
        f"{stack.tiktok_url}/_sandbox/shops/{tts_id}/orders/{order['id']}/ship", json={})
    assert shipped.status_code == 200, shipped.text
    return order


async def _ask_refund(stack: LocalStack, merchant: Merchant, tts_id: str, order_id: str) -> None:
    made = await merchant.browser.post(
        f"{stack.tiktok_url}/_sandbox/shops/{tts_id}/orders/{order_id}/returns",
        json={"return_type": "REFUND", "reason": "Arrived damaged"})
    assert made.status_code == 200, made.text


async def test_approve_and_reject_returns(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, DOMAIN, products=3) as (merchant, tts_id):
        conn = await connection_id(page, ui_stack)
        variant = (await variants(page, ui_stack, conn, minimum=3))[0]
        sold = await listing(merchant, tts_id, seller_sku=variant["sku"], title="Returnable")
        await api(page, ui_stack, f"/api/connections/{conn}/links", "POST", {"pairs": [{
            "shopify_variant_id": variant["variant_id"], "tiktok_product_id": sold["id"],
            "tiktok_sku_id": sold["skus"][0]["id"]}]})
        settings = await api(page, ui_stack, "/api/settings/orders")
        await api(page, ui_stack, "/api/settings/orders", "PUT",
                  {k: v for k, v in {**settings, "auto_sync": True}.items() if k != "queued"})
        kept = await _shipped_synced(page, ui_stack, merchant, tts_id, sold["skus"][0]["id"])
        refused = await _shipped_synced(page, ui_stack, merchant, tts_id, sold["skus"][0]["id"])
        await _ask_refund(ui_stack, merchant, tts_id, kept["id"])
        await _ask_refund(ui_stack, merchant, tts_id, refused["id"])

        await page.goto(f"{ui_stack.app_url}/orders")
        await expect(page.get_by_role("heading", name="Returns and refunds")).to_be_visible()
        returns = page.locator(".Polaris-IndexTable").filter(has_text="Shopify refund")
        approve_row = returns.get_by_role("row").filter(has_text=kept["id"])
        reject_row = returns.get_by_role("row").filter(has_text=refused["id"])
        for row in (approve_row, reject_row):
            await expect(row).to_contain_text("Awaiting your answer", timeout=20_000)
            await expect(row).to_contain_text("Refund only")
            await expect(row).to_contain_text("Arrived damaged")

        # Approve: TikTok approves the refund; the sync makes the Shopify refund.
        await approve_row.get_by_role("button", name=re.compile("^Approve")).click()
        await expect(approve_row).to_contain_text("Refund approved", timeout=20_000)
        await expect(approve_row).to_contain_text("Synced", timeout=20_000)
        approve = approve_row.get_by_role("button", name=re.compile("^Approve"))
        await expect(approve).to_have_count(0)

        # Reject: a Modal with TikTok's reasons; Reject stays disabled until one is picked.
        await reject_row.get_by_role("button", name=re.compile("^Reject")).click()
        dialog = page.get_by_role("dialog")
        await expect(dialog).to_be_visible()
        reason = dialog.get_by_label("Reason")
        await expect(reason).to_be_enabled(timeout=10_000)
        confirm = dialog.get_by_role("button", name="Reject", exact=True)
        await expect(confirm).to_be_disabled()
        await close_toasts(page)
        assert await axe_violations(page) == []
        await shot(page, "orders-returns-reject")
        await reason.select_option(label="You have reached an agreement with the buyer")
        await dialog.get_by_label("Note").fill("Agreed a replacement by chat")
        await confirm.click()
        await expect(dialog).to_have_count(0)
        await expect(reject_row).to_contain_text("Rejected", timeout=20_000)
        await expect(reject_row.get_by_role("button", name=re.compile("^Reject"))).to_have_count(0)

        found = await api(page, ui_stack, f"/api/returns?connection_id={conn}")
        states = {r["order_id"]: (r["status"], r["refund_sync"]) for r in found["returns"]}
        assert states[kept["id"]] == ("RETURN_OR_REFUND_REQUEST_SUCCESS", "synced")
        assert states[refused["id"]] == ("REFUND_OR_RETURN_REQUEST_REJECT", None)
        await close_toasts(page)
        await shot(page, "orders-returns")
        assert await axe_violations(page) == []
