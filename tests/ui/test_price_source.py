"""Issue 13 §1: the Products page and the product detail say where TikTok prices come from.
A USD store connected to TikTok UK: with no Shopify market selling in GB and no rate, the page
warns that prices cannot be made; once the merchant adds GB to a Shopify Market (GBP, the
sandbox's rate 0.8) the page says "Shopify Markets", the product settings save without a rate,
and the detail's TikTok prices are the Market's, saying so."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .category_form import wait_catalog
from .conftest import axe_violations, connected_shop, shot

DOMAIN = "price-source-ui.myshopify.com"
PRODUCTS = 3
expect.set_options(timeout=15_000)


async def test_products_page_and_detail_name_the_price_source(page: Page,
                                                              ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, DOMAIN, products=PRODUCTS,
                              region="UK") as (merchant, _):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        base = f"/api/connections/{conn}"
        before = await api(page, ui_stack, f"{base}/pricing/source")
        assert (before["source"], before["currency"], before["exchange_rate"]) == \
            ("exchange_rate", "GBP", None)
        await page.goto(f"{ui_stack.app_url}/products")
        await expect(page.get_by_text("Prices in GBP cannot be made yet")).to_be_visible()

        await merchant.create_market(DOMAIN, "GB", "GBP", Decimal("0.8"))
        after = await api(page, ui_stack, f"{base}/pricing/source")
        assert (after["source"], after["country"]) == ("shopify_markets", "GB")
        settings = await api(page, ui_stack, f"{base}/settings/product")
        body = {k: v for k, v in settings.items()
                if k not in ("store_currency", "tiktok_currency", "known_locations")}
        await api(page, ui_stack, f"{base}/settings/product", "PUT", body)  # no rate needed

        await page.reload()
        await expect(page.get_by_text("Shopify Markets", exact=True)).to_be_visible()
        await expect(page.get_by_text("come from your Shopify Markets price list for GB")
                     ).to_be_visible()
        await expect(page.get_by_text("cannot be made yet")).to_have_count(0)
        await shot(page, "products-price-source")
        assert await axe_violations(page) == []

        product = (await api(page, ui_stack, f"{base}/products?page_size=1"))["items"][0]
        preview = await api(page, ui_stack, f"{base}/products/{product['id']}/preview")
        variant = preview["variants"][0]
        market = (Decimal(variant["shopify_price"]) * Decimal("0.8")).quantize(
            Decimal("0.01"), ROUND_HALF_UP)
        assert (variant["price_source"], Decimal(variant["price"]),
                Decimal(variant["market_price"])) == ("shopify_markets", market, market)
        assert preview["currency"] == "GBP" and preview["price_error"] is None
        await page.goto(f"{ui_stack.app_url}/products/{product['id']}")
        await expect(page.get_by_text("TikTok prices (GBP) from: Shopify Markets",
                                      exact=True)).to_be_visible()
        row = page.get_by_role("row").filter(has_text=variant["title"]).first
        await expect(row.get_by_role("cell", name=f"£{market:,.2f}", exact=True)).to_be_visible()
        await shot(page, "product-detail-price-source")
        assert await axe_violations(page) == []
