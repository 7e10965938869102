"""The Products page in a real browser: the seeded catalog is listed with its status badges;
the status view and the search narrow the rows exactly as the server counts them; selected
rows are excluded with the bulk action and show the Excluded badge; a row opens the product.
The first load asks each of its first requests once (index.html's early answers are used)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .category_form import wait_catalog
from .conftest import axe_violations, connected_shop, shot
from .products_seed import seed_statuses

PRODUCTS = 24
#: The machine is shared; the server can take a few seconds to answer under load.
expect.set_options(timeout=15_000)


async def _total(page: Page, stack: LocalStack, conn: int, query: str) -> int:
    out = await api(page, stack, f"/api/connections/{conn}/products?page_size=1&{query}")
    return int(out["total"])


async def test_list_filter_search_and_bulk_exclude(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "products-page-ui.myshopify.com", products=PRODUCTS):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        first = await api(page, ui_stack, f"/api/connections/{conn}/products?page_size=50")
        ids = [i["id"] for i in first["items"]]
        await seed_statuses(ui_stack, conn, {ids[0]: "failed", ids[1]: "failed",
                                             ids[2]: "synced"})

        # Opened on /products, index.html asks for the session, the list and the price source
        # before the app's code arrives, and the app uses those answers: one request each.
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url.removeprefix(ui_stack.app_url)))
        await page.goto(f"{ui_stack.app_url}/products")
        await expect(page.get_by_role("heading", level=1, name="Products")).to_be_visible()
        rows = page.locator("table tbody tr")
        await expect(rows).to_have_count(PRODUCTS)
        for path in ("/api/session", f"/api/connections/{conn}/products?",
                     f"/api/connections/{conn}/pricing/source"):
            assert sum(u.startswith(path) for u in asked) == 1, (path, asked)
        table = page.locator("table tbody")
        await expect(table.get_by_text("Sync failed", exact=True)).to_have_count(2)
        await expect(table.get_by_text("Synced", exact=True)).to_have_count(1)
        await shot(page, "products-list")
        assert await axe_violations(page) == []

        # The "Sync failed" view: exactly the rows the server counts as failed.
        await page.get_by_role("tab", name="Sync failed").click()
        await expect(page).to_have_url(f"{ui_stack.app_url}/products?status=failed")
        await expect(rows).to_have_count(await _total(page, ui_stack, conn, "status=failed"))
        await expect(rows).to_have_count(2)

        # Back to All, then search by a word of a title: the server's count again.
        await page.get_by_role("tab", name="All").click()
        await expect(rows).to_have_count(PRODUCTS)
        word = first["items"][5]["title"].split()[-1]
        expected = await _total(page, ui_stack, conn, f"q={word}")
        assert 0 < expected < PRODUCTS, word
        await page.get_by_role("button", name="Search and filter results").click()
        await page.get_by_placeholder("Search by title or SKU").fill(word)
        await expect(rows).to_have_count(expected)
        await expect(page).to_have_url(f"{ui_stack.app_url}/products?q={word}")
        await page.get_by_role("button", name="Cancel").click()
        await expect(rows).to_have_count(PRODUCTS)

        # Select two rows, Exclude them: both show the Excluded badge, the server agrees.
        await rows.nth(3).get_by_role("checkbox").check()
        await rows.nth(4).get_by_role("checkbox").check()
        await page.get_by_role("button", name="More actions").click()
        await page.get_by_role("button", name="Exclude from sync").click()
        await expect(page.get_by_text("2 products excluded")).to_be_visible()
        await expect(rows.nth(3).get_by_text("Excluded", exact=True)).to_be_visible()
        await expect(rows.nth(4).get_by_text("Excluded", exact=True)).to_be_visible()
        assert await _total(page, ui_stack, conn, "excluded=true") == 2
        await page.goto(f"{ui_stack.app_url}/products?excluded=true")  # the "Excluded" view
        await expect(rows).to_have_count(2)
        await shot(page, "products-excluded")
        assert await axe_violations(page) == []

        # A row's own Sync opens the manual sync form for that product alone.
        title = await rows.first.get_by_role("link").inner_text()
        await rows.first.get_by_role("button", name=f"Sync {title.strip()}").click()
        await expect(page).to_have_url(re.compile(r"/products/sync\?ids=\d+$"))
        await page.go_back()
        await expect(rows).to_have_count(2)

        # A row opens the product's detail page.
        await rows.first.get_by_role("link").click()
        await expect(page.get_by_role("heading", level=1, name=title.strip())).to_be_visible()


async def test_phone_width_and_empty_search(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "products-phone-ui.myshopify.com", products=6):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, 6)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.goto(f"{ui_stack.app_url}/products?q=no-such-product-anywhere")
        await expect(page.get_by_text("No products found")).to_be_visible()
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, width
        await shot(page, "products-phone-empty-search")
        assert await axe_violations(page) == []
