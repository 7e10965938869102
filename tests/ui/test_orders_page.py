"""Orders in a real browser: orders placed on TikTok (sandbox control API) appear on the open
page without a reload; one is synced by hand with the bulk action and shows its Shopify order
(a link into Shopify admin); shipped in Shopify, "Sync fulfillments" shows Shopify → TikTok
synced; an order with an unlinked item shows the reason and "Link this item", which opens Link
products with the SKU prefilled. Filters by view and search. Screenshots, axe."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .conftest import axe_violations, connected_shop, shot
from .links_orders_helpers import (
    close_toasts,
    fulfill_in_shopify,
    listing,
    place_order,
    variants,
)

DOMAIN = "orders-ui.myshopify.com"


async def _bulk(page: Page, row: Locator, action: str) -> None:
    await close_toasts(page)
    await row.get_by_role("checkbox").check()
    await page.get_by_role("button", name=action, exact=True).first.click()
    await expect(page.get_by_text(re.compile(r"1 order queued|Nothing queued"))).to_be_visible()


async def test_sync_by_hand_fulfillment_and_fix_action(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, DOMAIN, products=6) as (merchant, tts_id):
        conn = await connection_id(page, ui_stack)
        variant = (await variants(page, ui_stack, conn, minimum=6))[0]
        sold = await listing(merchant, tts_id, seller_sku=variant["sku"], title="Linked UI item")
        loose = await listing(merchant, tts_id, seller_sku="LOOSE-UI-1", title="Loose UI item")
        await api(page, ui_stack, f"/api/connections/{conn}/links", "POST", {"pairs": [{
            "shopify_variant_id": variant["variant_id"], "tiktok_product_id": sold["id"],
            "tiktok_sku_id": sold["skus"][0]["id"]}]})
        # The page is open before the orders are placed: they appear without a reload.
        await page.goto(f"{ui_stack.app_url}/orders")
        await expect(page.get_by_role("heading", level=1, name="Orders")).to_be_visible()
        await expect(page.get_by_text("No TikTok orders yet")).to_be_visible()
        good = await place_order(merchant, tts_id, sold["skus"][0]["id"],
                                 recipient={"name": "Grace Hopper"})
        bad = await place_order(merchant, tts_id, loose["skus"][0]["id"])
        good_row = page.get_by_role("row").filter(has_text=good["id"])
        bad_row = page.get_by_role("row").filter(has_text=bad["id"])
        await expect(good_row).to_contain_text("Not synced", timeout=20_000)
        await expect(good_row).to_contain_text("Grace Hopper")
        await expect(bad_row).to_contain_text("Loose UI item")  # unlinked: shown before sync
        fix = bad_row.get_by_role("button", name=re.compile("Link this item"))
        await expect(fix).to_be_visible()

        # Sync the good order by hand: it gets its Shopify order, linked into Shopify admin.
        await _bulk(page, good_row, "Sync orders")
        await expect(good_row).to_contain_text("Synced", timeout=20_000)
        shopify_link = good_row.get_by_role("link")
        await expect(shopify_link).to_have_attribute(
            "href", re.compile(r"^https://admin\.shopify\.com/store/orders-ui/orders/\d+$"))
        await expect(shopify_link).to_have_attribute("target", "_blank")
        order = await api(page, ui_stack, f"/api/orders/{good['id']}?connection_id={conn}")
        assert order["shopify_order_name"] and order["shopify_order_name"] in (
            await shopify_link.inner_text())

        # Ship it in Shopify, then Sync fulfillments: Shopify → TikTok shows Synced.
        await fulfill_in_shopify(ui_stack, DOMAIN, order["shopify_order_id"],
                                 "9400111899223197428555")
        await _bulk(page, good_row, "Sync fulfillments")
        fulfillment = good_row.get_by_role("cell").nth(7)
        await expect(fulfillment).to_contain_text("Shopify → TikTok")
        await expect(fulfillment).to_contain_text("Synced", timeout=20_000)
        await expect(fulfillment).not_to_contain_text("TikTok → Shopify")  # seller shipping

        # The unlinked one fails when synced, says why, and offers the fix.
        await _bulk(page, bad_row, "Sync orders")
        await expect(bad_row).to_contain_text("Failed", timeout=20_000)
        await expect(bad_row).to_contain_text("is not linked to a Shopify variant")
        await close_toasts(page)
        await shot(page, "orders")
        assert await axe_violations(page) == []

        # Views (with their counts) and search run on the server.
        failed_tab = page.get_by_role("tab", name=re.compile("^Failed"))
        await expect(failed_tab).to_contain_text("1")
        await failed_tab.click()
        await expect(bad_row).to_be_visible()
        await expect(good_row).to_have_count(0)
        all_tab = page.get_by_role("tab", name=re.compile("^All"))
        await all_tab.click()
        await expect(all_tab).to_have_attribute("aria-selected", "true")
        await expect(good_row).to_be_visible()  # back to every order before searching
        await page.get_by_role("button", name=re.compile("Search and filter")).click()
        search = page.get_by_role("textbox", name=re.compile("Search by order ID or buyer"))
        await search.fill("hopper")
        await expect(bad_row).to_have_count(0)
        await expect(good_row).to_be_visible()
        await shot(page, "orders-search")
        await search.fill("")

        # Phone width: condensed rows, no page-wide horizontal scrolling, still axe clean.
        await page.set_viewport_size({"width": 390, "height": 844})
        await expect(page.get_by_text(bad["id"])).to_be_visible()
        await expect(page.get_by_role("button", name=re.compile("Link this item"))).to_be_visible()
        assert await page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth")
        await shot(page, "orders-phone")
        assert await axe_violations(page) == []
        await page.set_viewport_size({"width": 1280, "height": 900})

        # Fix action: Link this item → Link products, TikTok search prefilled with the SKU.
        await bad_row.get_by_role("button", name=re.compile("Link this item")).click()
        await expect(page.get_by_role("heading", level=1, name="Link products")).to_be_visible()
        await expect(page.get_by_label("Search TikTok listings")).to_have_value(
            loose["skus"][0]["id"])
        await expect(page.get_by_text("Loose UI item — LOOSE-UI-1")).to_be_visible()
