"""The admin UI's shell in a real browser: install lands on Home, the navigation reaches every
page by its name, client routes survive a reload, and unknown API paths stay 404s."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack, Merchant

from .conftest import axe_violations, connected, shot, signed_in

NAV = ["Home", "Products", "Category templates", "Link products", "Orders", "Settings",
       "Activity"]


async def test_install_lands_on_home_and_nav_reaches_every_page(page: Page,
                                                                ui_stack: LocalStack) -> None:
    merchant = await signed_in(page, ui_stack, "shell-ui.myshopify.com", products=5)
    try:
        await expect(page.get_by_role("heading", level=1, name="Home")).to_be_visible()
        nav = page.get_by_role("navigation")
        for label in NAV:
            await nav.get_by_role("link", name=label, exact=True).click()
            await expect(page.get_by_role("heading", level=1, name=label)).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("heading", level=1, name="Activity")).to_be_visible()
        await shot(page, "shell-activity")
        assert await axe_violations(page) == []
    finally:
        await merchant.close()


async def test_api_and_asset_misses_are_404_not_the_app(ui_stack: LocalStack) -> None:
    async with httpx.AsyncClient(base_url=ui_stack.app_url) as client:
        assert (await client.get("/api/nope")).status_code in (401, 404)
        assert (await client.get("/assets/nope.js")).status_code == 404
        document = await client.get("/products/123")
    assert document.status_code == 200
    assert '<div id="root">' in document.text
    assert "app-bridge.js" not in document.text  # standalone: App Bridge would redirect away
    assert document.headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_assets_are_served_gzipped_once_and_plain_on_request(ui_stack: LocalStack
                                                                    ) -> None:
    async with httpx.AsyncClient(base_url=ui_stack.app_url) as client:
        document = (await client.get("/")).text
        script = re.search(r'src="(/assets/[^"]+\.js)"', document)
        assert script, document[:500]
        zipped = await client.get(script[1], headers={"Accept-Encoding": "gzip"})
        again = await client.get(script[1], headers={"Accept-Encoding": "gzip"})
        plain = await client.get(script[1], headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    assert zipped.content == plain.content == again.content  # httpx decodes the gzip
    assert "content-encoding" not in plain.headers


async def test_connect_tiktok_from_the_browser(page: Page, ui_stack: LocalStack) -> None:
    merchant, tts_id = await connected(page, ui_stack, "connect-ui.myshopify.com", products=3)
    try:
        session = await page.evaluate("() => fetch('/api/session').then(r => r.json())")
        assert [c["tiktok_shop_id"] for c in session["connections"]] == [tts_id]
    finally:
        await merchant.close()


async def test_signed_out_browser_gets_sign_in_then_home(page: Page,
                                                         ui_stack: LocalStack) -> None:
    domain = "signin-ui.myshopify.com"
    merchant = Merchant(ui_stack)
    await merchant.create_store(domain, products=2)
    try:
        await page.goto(f"{ui_stack.app_url}/orders")
        await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
        field = page.get_by_label("Store address")
        await field.fill("not a shop!")
        await page.get_by_role("button", name="Sign in with Shopify").click()
        await expect(page.get_by_text("Enter your store address, like")).to_be_visible()
        await field.fill("signin-ui")
        await page.get_by_role("button", name="Sign in with Shopify").click()
        await page.wait_for_url(f"{ui_stack.app_url}/")
        await expect(page.get_by_role("heading", level=1, name="Home")).to_be_visible()
        assert await axe_violations(page) == []
    finally:
        await merchant.close()


async def test_tiktok_consent_without_cookie_returns_into_shopify_admin(
        page: Page, ui_stack: LocalStack) -> None:
    """The embedded UI opens TikTok in the top window; coming back without the standalone
    cookie, the merchant is sent to the app inside Shopify admin, not a signed-out page."""
    merchant = await signed_in(page, ui_stack, "return-ui.myshopify.com", products=2)
    try:
        await merchant.create_tiktok_shop("GB")
        url = await page.evaluate(
            "() => fetch('/api/tiktok/connect', {method: 'POST'}).then(r => r.json())")
        async with httpx.AsyncClient() as top_window:  # no session cookie of ours
            start = await top_window.get(url["url"])
            assert start.status_code == 302
            consent = await top_window.get(start.headers["location"])
            assert consent.status_code == 302
            back = await top_window.get(consent.headers["location"])
        assert back.status_code == 302
        assert back.headers["location"] == (
            "https://admin.shopify.com/store/return-ui/apps/"
            f"{ui_stack.settings.shopify_api_key}")
        session = await page.evaluate("() => fetch('/api/session').then(r => r.json())")
        assert [c["region"] for c in session["connections"]] == ["GB"]
    finally:
        await merchant.close()


async def test_partial_selection_and_toasts_stay_accessible(page: Page,
                                                            ui_stack: LocalStack) -> None:
    """Polaris' select-all checkbox in its "some selected" state and its standalone toast are
    corrected by the shell (shell/a11y.ts): axe finds nothing with both on screen."""
    merchant, _ = await connected(page, ui_stack, "a11y-ui.myshopify.com", products=4)
    try:
        await page.goto(f"{ui_stack.app_url}/products")
        rows = page.locator("table tbody tr")
        await expect(rows).to_have_count(4, timeout=30_000)
        await rows.nth(0).get_by_role("checkbox").check()
        mixed = page.locator("input[type=checkbox][aria-checked=mixed]").first
        await expect(mixed).to_be_attached()
        assert await mixed.evaluate("box => box.indeterminate") is True
        assert await axe_violations(page) == []
        await page.get_by_role("button", name="More actions").click()
        await page.get_by_role("button", name="Exclude from sync").click()
        await expect(page.locator(".Polaris-Frame-Toast")).to_be_visible()
        await expect(page.locator(".Polaris-Frame-Toast__CloseButton")).to_have_attribute(
            "aria-label", "Dismiss notification")
        assert await axe_violations(page) == []
    finally:
        await merchant.close()
