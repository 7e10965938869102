"""Seeding for the Link products and Orders browser tests: the shop's variants through the
app's API, TikTok listings and orders through the TikTok sandbox's control API, Shopify
fulfillments through the Shopify sandbox's."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ecomsend.demo.stack import LocalStack, Merchant

from .app_api import api

#: More toasts than a page ever stacks: bounds the close loop.
MAX_TOASTS = 10


async def variants(page: Page, stack: LocalStack, conn: int,
                   minimum: int = 1) -> list[dict[str, Any]]:
    """The shop's variants once the catalog import stored them (unique SKUs only)."""
    async with asyncio.timeout(30):
        while True:
            page_ = await api(page, stack, f"/api/connections/{conn}/links/variants"
                                           "?unlinked_only=false&limit=100")
            if page_["total"] >= minimum:
                break
            await asyncio.sleep(0.2)
    rows: list[dict[str, Any]] = page_["variants"]
    skus = [v["sku"] for v in rows if v["sku"]]
    return [v for v in rows if v["sku"] and skus.count(v["sku"]) == 1]


async def listing(merchant: Merchant, tts_id: str, *, seller_sku: str,
                  title: str) -> dict[str, Any]:
    """A TikTok listing made on the seller's side (not by the app), one SKU."""
    control = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts_id}"
    body = (await merchant.browser.get(f"{control}/sample_product", params={"skus": 1})).json()
    body["title"] = title
    body["skus"][0]["seller_sku"] = seller_sku
    for inv in body["skus"][0].get("inventory", []):
        inv["quantity"] = 50
    created = await merchant.browser.post(f"{control}/products", json=body)
    assert created.status_code == 200, created.text
    product: dict[str, Any] = created.json()
    return product


async def place_order(merchant: Merchant, tts_id: str, sku_id: str, **body: Any,
                      ) -> dict[str, Any]:
    control = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts_id}"
    placed = await merchant.browser.post(f"{control}/orders", json={
        "line_items": [{"sku_id": sku_id, "quantity": 1}], **body})
    assert placed.status_code == 200, placed.text
    order: dict[str, Any] = placed.json()
    return order


async def fulfill_in_shopify(stack: LocalStack, domain: str, order_gid: str, number: str,
                             company: str = "USPS") -> None:
    async with httpx.AsyncClient() as http:
        done = await http.post(f"{stack.shopify_url}/_sandbox/shops/{domain}/orders/{order_gid}"
                               "/fulfill", json={"tracking": {"number": number,
                                                              "company": company}})
    assert done.status_code == 200, done.text


async def close_toasts(page: Page) -> None:
    """Close the standalone Polaris toasts before an axe run: their close button has no
    accessible name in Polaris 13.9.5 (a shell-wide finding, reported)."""
    buttons = page.locator(".Polaris-Frame-Toast__CloseButton")
    for _ in range(MAX_TOASTS):  # a toast may hide itself between the count and the click
        if not await buttons.count():
            break
        try:
            await buttons.first.click(timeout=2_000)
        except PlaywrightTimeoutError:
            continue
    await page.locator(".Polaris-Frame-Toast").first.wait_for(state="detached")
