"""Activity in a real browser: the shop's log, filtered by status through IndexFilters (the
filter lands in the URL and survives a reload), searched, exported as CSV (a real download with
exactly the filtered rows, formula-safe), and failed rows retried in bulk."""

from __future__ import annotations

import csv
from pathlib import Path

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .conftest import axe_violations, connected_shop, shot
from .home_settings_seed import connection_of, seed_activity, seed_failures


async def test_activity_filter_export_and_bulk_retry(page: Page, ui_stack: LocalStack,
                                                     tmp_path: Path) -> None:
    domain = "activity-ui.myshopify.com"
    async with connected_shop(page, ui_stack, domain, products=4):
        shop_id, conn = await connection_of(ui_stack, domain, 4)
        failed_titles = await seed_failures(ui_stack, shop_id, conn, 2)
        await seed_activity(ui_stack, shop_id, conn, [
            {"kind": "order", "entity_id": "5770001", "direction": "to_shopify",
             "status": "failed", "message": "=HYPERLINK(\"http://evil\") no variant linked"},
            {"kind": "order", "entity_id": "5770002", "direction": "to_shopify",
             "status": "synced", "message": "1 API call(s)"},
        ])
        await page.goto(f"{ui_stack.app_url}/activity")
        await expect(page.get_by_role("heading", level=1, name="Activity")).to_be_visible()
        table = page.locator(".Polaris-IndexTable")
        await expect(table.get_by_text("1 API call(s)")).to_be_visible()
        await expect(table.get_by_text("Catalog import", exact=True).first).to_be_visible()
        await shot(page, "activity")
        assert await axe_violations(page) == []

        # Filter: status Failed, through the filter bar.
        await page.get_by_role("button", name="Search and filter results").click()
        await page.get_by_role("button", name="Status").click()
        await page.get_by_role("checkbox", name="Failed").check()
        await expect(page).to_have_url(f"{ui_stack.app_url}/activity?status=failed")
        await page.keyboard.press("Escape")
        await expect(table.get_by_text("1 API call(s)")).to_have_count(0)
        rows = table.locator("tbody tr")
        await expect(rows).to_have_count(3)
        await page.reload()
        await expect(rows).to_have_count(3)
        await expect(page.get_by_text("Status: Failed")).to_be_visible()
        await shot(page, "activity-failed")
        assert await axe_violations(page) == []

        # CSV export of that filter: a real download, exactly those rows, formula-safe.
        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Export CSV").click()
        download = await waiting.value
        assert download.suggested_filename.startswith("activity-")
        target = tmp_path / download.suggested_filename
        await download.save_as(target)
        with target.open(newline="", encoding="utf-8") as handle:
            exported = list(csv.reader(handle))
        assert exported[0][:3] == ["Date (UTC)", "Kind", "Status"]
        assert len(exported) == 4 and all(r[2] == "Failed" for r in exported[1:])
        subjects = {r[5] for r in exported[1:]}
        assert set(failed_titles) <= subjects and "TikTok order 5770001" in subjects
        evil = next(r for r in exported[1:] if r[6] == "5770001")
        assert evil[7].startswith("'=HYPERLINK")

        # Search narrows on the server; then bulk Retry: products retried, the order row
        # (no sync record behind it) says why not.
        search = page.get_by_placeholder("Search messages, products, order ids")
        if not await search.is_visible():
            await page.get_by_role("button", name="Search and filter results").click()
        await search.fill("evil")
        await expect(rows).to_have_count(1)
        await search.fill("")
        await expect(rows).to_have_count(3)
        await page.get_by_role("checkbox", name="Select all activity rows").first.check()
        await page.get_by_role("button", name="Retry 3 failed").click()
        await expect(page.get_by_text("2 retried, 1 skipped")).to_be_visible()
        await expect(page.get_by_text("There is no sync record for it any more. (1)")
                     ).to_be_visible()
        await shot(page, "activity-retried")
        assert await axe_violations(page) == []
