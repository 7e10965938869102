"""The app's JSON API from a browser test, with the page's own session (the merchant's cookie):
used by the category-form, Products, Templates, Link products, Orders and whole-walk tests to
seed and check what the page shows."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from ecomsend.demo.stack import LocalStack


async def api(page: Page, stack: LocalStack, path: str, method: str = "GET",
              body: Any = None) -> Any:
    """Call `path` on the app with the browser context's session cookie; a non-2xx fails the
    test with the status and body; a 204 returns None."""
    response = await page.request.fetch(f"{stack.app_url}{path}", method=method, data=body)
    assert response.ok, (method, path, response.status, await response.text())
    return await response.json() if response.status != 204 else None


async def connection_id(page: Page, stack: LocalStack) -> int:
    """The id of the signed-in shop's first TikTok connection."""
    session = await api(page, stack, "/api/session")
    return int(session["connections"][0]["id"])
