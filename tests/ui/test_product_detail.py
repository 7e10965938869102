"""The Product detail page in a real browser: opened from its row, it shows the prices TikTok
will receive after the price rule (as the API's preview computes them), each problem with its
fix, the last failure and the sync history; Exclude / Include from the page."""

from __future__ import annotations

from decimal import Decimal

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .category_form import wait_catalog
from .conftest import axe_violations, connected_shop, shot
from .products_seed import seed_statuses

PRODUCTS = 8
expect.set_options(timeout=15_000)


def _money(value: str) -> str:
    return f"${Decimal(value):,.2f}"


async def test_detail_shows_preview_problems_and_history(page: Page,
                                                        ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "product-detail-ui.myshopify.com", products=PRODUCTS):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        base = f"/api/connections/{conn}"
        # A 20 % markup: the TikTok price differs from the Shopify price on the page.
        settings = await api(page, ui_stack, f"{base}/settings/product")
        body = {k: v for k, v in settings.items()
                if k not in ("store_currency", "tiktok_currency", "known_locations")}
        body["price_rule"] = {**settings["price_rule"], "markup_kind": "percent", "markup": "20"}
        await api(page, ui_stack, f"{base}/settings/product", "PUT", body)
        listed = await api(page, ui_stack, f"{base}/products?status=not_synced&page_size=50")
        product = listed["items"][0]
        await seed_statuses(ui_stack, conn, {product["id"]: "failed"})
        preview = await api(page, ui_stack, f"{base}/products/{product['id']}/preview")
        variant = preview["variants"][0]
        assert Decimal(variant["price"]) == (Decimal(variant["shopify_price"]) *
                                             Decimal("1.2")).quantize(Decimal("0.01"))

        await page.goto(f"{ui_stack.app_url}/products?q={product['title'].split()[0]}")
        await page.get_by_role("link", name=product["title"], exact=True).click()
        await expect(page).to_have_url(f"{ui_stack.app_url}/products/{product['id']}")
        await expect(page.get_by_role("heading", level=1, name=product["title"])).to_be_visible()
        await expect(page.get_by_text("Sync failed", exact=True).first).to_be_visible()
        await expect(page.get_by_text("TikTok refused the product").first).to_be_visible()

        await expect(page.get_by_role("heading", name="What TikTok will receive")).to_be_visible()
        # The variant's row: Shopify price, then the TikTok price after the 20 % markup.
        row = page.get_by_role("row").filter(has_text=variant["title"]).first
        await expect(row.get_by_role("cell", name=_money(variant["shopify_price"]),
                                     exact=True)).to_be_visible()
        await expect(row.get_by_role("cell", name=_money(variant["price"]),
                                     exact=True)).to_be_visible()

        assert preview["problems"], preview
        first = preview["problems"][0]
        await expect(page.get_by_text(first["message"]).first).to_be_visible()
        if first["fix"]:
            await expect(page.get_by_text(f"How to fix: {first['fix']}").first).to_be_visible()

        await expect(page.get_by_role("heading", name="Sync history")).to_be_visible()
        await expect(page.get_by_text("Package weight: The package weight is missing.",
                                      exact=False)).to_be_visible()
        await shot(page, "product-detail")
        assert await axe_violations(page) == []

        # Exclude from the page: the badge and the banner say so; Include brings it back.
        await page.get_by_role("button", name="Exclude from sync").click()
        await expect(page.get_by_text("Excluded from automatic sync")).to_be_visible()
        await expect(page.get_by_text("Excluded", exact=True).first).to_be_visible()
        excluded = await api(page, ui_stack, f"{base}/products?excluded=true")
        assert [i["id"] for i in excluded["items"]] == [product["id"]]
        await page.get_by_role("button", name="Include in sync").click()
        await expect(page.get_by_text("Excluded from automatic sync")).to_have_count(0)

        # Retry is offered for a failed product; the Sync action opens the manual sync form.
        await expect(page.get_by_role("button", name="Retry")).to_be_visible()
        await page.get_by_role("button", name="Sync", exact=True).click()
        await expect(page).to_have_url(f"{ui_stack.app_url}/products/sync?ids={product['id']}")


async def test_unknown_product_says_so(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "product-missing-ui.myshopify.com", products=2):
        await page.goto(f"{ui_stack.app_url}/products/999999")
        await expect(page.get_by_role("heading", level=1, name="Product not found")).to_be_visible()
        await expect(page.get_by_role("link", name="Products").first).to_be_visible()
        assert await axe_violations(page) == []
