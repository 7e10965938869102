"""Helpers for the browser tests of the category forms (Manual sync, Category templates):
waiting for the catalog and the badges through the JSON API, a category the form can fill,
filling it as a merchant does (search in the picker, pick the option, fill the required
attributes)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Page

from ecomsend.demo.stack import LocalStack

from .app_api import api


async def wait_catalog(page: Page, stack: LocalStack, conn: int, count: int) -> None:
    """Until the setup job has imported the seeded catalog."""
    async with asyncio.timeout(60):
        while (await api(page, stack, f"/api/connections/{conn}/products?page_size=1"))[
                "total"] < count:
            await asyncio.sleep(0.3)


async def easy_category(page: Page, stack: LocalStack, conn: int,
                        skip: str | None = None) -> dict[str, Any]:
    """A leaf whose rules need nothing a form cannot carry and whose required attributes are
    single-choice lists or free numbers (a Select or a TextField in the form); not `skip`."""
    base = f"/api/connections/{conn}/tiktok/categories"
    tree = await api(page, stack, f"{base}?leaves_only=true")
    for cat in tree["categories"][:120]:
        if cat["id"] == skip:
            continue
        rules = await api(page, stack, f"{base}/{cat['id']}/rules")
        if any(c.get("is_required") for c in rules.get("product_certifications") or []):
            continue
        if (rules.get("size_chart") or {}).get("is_required"):
            continue
        attrs = await api(page, stack, f"{base}/{cat['id']}/attributes")
        required = [a for a in attrs if a["required"] and a["type"] != "SALES_PROPERTY"]
        simple = all((a["values"] and not a["multiple"] and not a["customizable"])
                     or not a["values"] for a in required)
        if required and simple:
            return {**cat, "required": required}
    raise AssertionError("no easy category in the sandbox tree")


def label(name: str) -> re.Pattern[str]:
    """A field's accessible name (a required field's label carries an asterisk)."""
    return re.compile(rf"^{re.escape(name)}\s*\*?$")


async def pick_category(page: Page, category: dict[str, Any]) -> None:
    """Search the category by name in the picker and choose it."""
    search = page.get_by_role("combobox", name=label("TikTok category"))
    await search.click()
    await search.fill(category["name"])
    await page.get_by_role("option", name=" › ".join(category["path"])).click()


async def fill_required(page: Page, category: dict[str, Any]) -> None:
    for attr in category["required"]:
        field = page.get_by_label(label(attr["name"]))
        if attr["values"]:
            await field.select_option(label=attr["values"][0]["name"])
        else:
            await field.fill("2")


async def product_badges(page: Page, stack: LocalStack, conn: int,
                         ids: list[int]) -> dict[int, str]:
    page_data = await api(page, stack, f"/api/connections/{conn}/products?page_size=250")
    return {r["id"]: r["status"]["badge"] for r in page_data["items"] if r["id"] in ids}


async def wait_badges(page: Page, stack: LocalStack, conn: int, ids: list[int],
                      final: frozenset[str] = frozenset({"synced", "failed", "review_failed"}),
                      timeout: float = 60) -> dict[int, str]:
    """The products' badges once none is still syncing or not synced."""
    async with asyncio.timeout(timeout):
        while True:
            badges = await product_badges(page, stack, conn, ids)
            if len(badges) == len(ids) and all(b in final for b in badges.values()):
                return badges
            await asyncio.sleep(0.3)
