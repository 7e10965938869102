"""The Manual sync form in a real browser: a product no template takes fails pre-flight; the
form shows what is missing next to the field, the merchant picks a category through the picker,
fills the required attributes and package, pre-flight turns green, Sync, and the product
reaches Synced on the TikTok sandbox. A bad value gets the API's error at the field and keeps
what was typed."""

from __future__ import annotations

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .category_form import (
    easy_category,
    fill_required,
    label,
    pick_category,
    wait_badges,
    wait_catalog,
)
from .conftest import axe_violations, connected_shop, shot

PRODUCTS = 8


async def _listable(page: Page, stack: LocalStack, conn: int,
                    category: dict[str, object]) -> int:
    """A product that passes every check once it has the category (the seeded catalog also
    has products TikTok cannot take: no image, title too short…)."""
    ids = [r["id"] for r in (await api(page, stack, f"/api/connections/{conn}/products?"
                                       "page_size=50"))["items"]]
    override = {"category_id": category["id"],
                "attributes": [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}]
                                if a["values"] else [{"name": "2"}]}
                               for a in category["required"]],  # type: ignore[attr-defined]
                "package_weight": "0.5",
                "package_dimensions": {"length": 20, "width": 15, "height": 5}}
    out = await api(page, stack, f"/api/connections/{conn}/products/sync/preflight", "POST",
                    {"product_ids": ids, "override": override})
    ok = [r["product_id"] for r in out["results"] if r["queued"]]
    assert ok, out
    return int(ok[0])


async def test_fix_a_failing_product_and_sync_it(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "manual-sync-ui.myshopify.com", products=PRODUCTS):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        category = await easy_category(page, ui_stack, conn)
        pid = await _listable(page, ui_stack, conn, category)

        await page.goto(f"{ui_stack.app_url}/products/sync?ids={pid}")
        await expect(page.get_by_role("heading", level=1, name="Manual sync")).to_be_visible()
        # No template takes the product: pre-flight says so, at the category field too.
        await expect(page.get_by_text("0 of 1 ready")).to_be_visible()
        await expect(page.get_by_text("No active category template takes this product")
                     .first).to_be_visible()
        await shot(page, "manual-sync-failing")
        assert await axe_violations(page) == []

        await pick_category(page, category)
        await expect(page.get_by_text("Selected:")).to_contain_text(category["name"])
        first = category["required"][0]["name"]
        await expect(page.get_by_text(f"TikTok requires “{first}”").first).to_be_visible()

        # A bad weight: the API's message next to the field, the typed value kept.
        weight = page.get_by_label(label("Package weight"))
        await weight.fill("-1")
        await expect(page.get_by_text("should be greater than 0").first).to_be_visible()
        await expect(weight).to_have_value("-1")

        await fill_required(page, category)
        await weight.fill("0.5")
        for name, value in (("Length", "20"), ("Width", "15"), ("Height", "5")):
            await page.get_by_label(label(name)).fill(value)
        await expect(page.get_by_text("1 of 1 ready")).to_be_visible(timeout=15_000)
        await expect(page.get_by_text("should be greater than 0")).to_have_count(0)
        await shot(page, "manual-sync-ready")
        assert await axe_violations(page) == []

        await page.get_by_role("button", name="Sync product").first.click()
        await page.wait_for_url(f"{ui_stack.app_url}/products")
        badges = await wait_badges(page, ui_stack, conn, [pid])
        assert badges[pid] == "synced", badges
        detail = await api(page, ui_stack, f"/api/connections/{conn}/products/{pid}")
        assert detail["override"]["category_id"] == category["id"]


async def test_many_products_and_no_selection(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "manual-many-ui.myshopify.com", products=4):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, 4)
        ids = [r["id"] for r in (await api(page, ui_stack,
                                           f"/api/connections/{conn}/products"))["items"]]
        await page.goto(f"{ui_stack.app_url}/products/sync?ids={','.join(map(str, ids))},999999")
        await expect(page.get_by_role("heading", level=1, name="Manual sync")).to_be_visible()
        await expect(page.get_by_text(f"0 of {len(ids)} ready")).to_be_visible()
        await expect(page.get_by_text("1 of the chosen products could not be found")
                     ).to_be_visible()
        await expect(page.get_by_role("button", name=f"Sync {len(ids)} products").first
                     ).to_be_visible()
        await shot(page, "manual-sync-many")
        assert await axe_violations(page) == []
        await page.goto(f"{ui_stack.app_url}/products/sync")
        await expect(page.get_by_text("No products chosen")).to_be_visible()
