"""Link products in a real browser: a TikTok listing with a Shopify variant's SKU is proposed,
the merchant confirms it with the bulk action and finds it in the Linked tab; a manual link
searches both sides, links, and is unlinked after the confirmation modal. Screenshots, axe."""

from __future__ import annotations

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .conftest import axe_violations, connected_shop, shot
from .links_orders_helpers import close_toasts, listing, variants


async def test_confirm_proposal_manual_link_and_unlink(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "links-ui.myshopify.com",
                              products=8) as (merchant, tts_id):
        conn = await connection_id(page, ui_stack)
        first, second = (await variants(page, ui_stack, conn, minimum=8))[:2]
        await listing(merchant, tts_id, seller_sku=first["sku"], title="Proposal listing UI")
        manual = await listing(merchant, tts_id, seller_sku="HANDMADE-UI-1",
                               title="Handmade manual listing")

        await page.goto(f"{ui_stack.app_url}/links")
        await expect(page.get_by_role("heading", level=1, name="Link products")).to_be_visible()
        row = page.get_by_role("row").filter(has_text="Proposal listing UI")
        await expect(row).to_be_visible(timeout=15_000)
        await expect(row).to_contain_text(first["sku"])
        await shot(page, "links-proposals")
        assert await axe_violations(page) == []
        await row.get_by_role("checkbox").check()
        await page.get_by_role("button", name="Link products").first.click()
        await expect(page.get_by_text("1 product linked")).to_be_visible()
        await expect(row).to_have_count(0)

        await page.get_by_role("tab", name="Linked").click()
        linked_row = page.get_by_role("row").filter(has_text=first["product_title"])
        await expect(linked_row).to_be_visible()
        await expect(linked_row).to_contain_text(first["sku"])

        # Manual link: search both sides, pick one of each, Link.
        await page.get_by_role("tab", name="Manual link").click()
        await page.get_by_label("Search TikTok listings").fill("handmade manual")
        tiktok = page.get_by_role("group", name="Pick a TikTok SKU").get_by_role("radio")
        await expect(tiktok).to_have_count(1)
        await page.get_by_text("Handmade manual listing — HANDMADE-UI-1").click()
        await page.get_by_label("Search Shopify variants").fill(second["sku"])
        shopify = page.get_by_role("group", name="Pick a Shopify variant").get_by_role("radio")
        await expect(shopify).to_have_count(1)
        await shopify.check(force=True)  # Polaris draws the radio over its input
        await close_toasts(page)
        await shot(page, "links-manual")
        assert await axe_violations(page) == []
        await page.get_by_role("button", name="Link", exact=True).click()
        await expect(page.get_by_text("1 product linked")).to_be_visible()
        links = await api(page, ui_stack, f"/api/connections/{conn}/links/linked")
        made = next(x for x in links["links"] if x["tiktok_product_id"] == manual["id"])
        assert made["shopify_variant_id"] == second["variant_id"]

        # Unlink it after the confirmation.
        await page.get_by_role("tab", name="Linked").click()
        manual_row = page.get_by_role("row").filter(has_text=manual["id"])
        await expect(manual_row).to_be_visible()
        await close_toasts(page)
        await shot(page, "links-linked")
        assert await axe_violations(page) == []
        await manual_row.get_by_role("button", name="Unlink").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog).to_contain_text("Unlink this product?")
        await shot(page, "links-unlink-modal")
        await dialog.get_by_role("button", name="Unlink").click()
        await expect(manual_row).to_have_count(0)
        links = await api(page, ui_stack, f"/api/connections/{conn}/links/linked")
        assert manual["id"] not in {x["tiktok_product_id"] for x in links["links"]}
        assert links["total"] == 1
