"""The app as Shopify admin opens it (embedded): App Bridge first in `<head>`, a per-shop
frame-ancestors CSP, the first open installs the shop by token exchange (no OAuth redirect in the
iframe), a load without a token bounces through App Bridge and comes back, and every API call
carries the session token.

Shopify's CDN is unreachable here, so the test serves a stand-in for `app-bridge.js` (the route
below): it exposes what our UI uses of `window.shopify` (idToken, toast, loading, saveBar) and
does what the real script does on the bounce page (reload `shopify-reload` with a fresh
`id_token`). The tokens are real: minted and signed by the Shopify sandbox.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Page, Request, Route, expect

from ecomsend.demo.stack import LocalStack, Merchant
from ecomsend.web.ui import APP_BRIDGE_SRC

from .conftest import axe_violations, shot

STAND_IN = """
(() => {
  const token = %(token)s;
  const params = new URLSearchParams(location.search);
  const reload = params.get('shopify-reload');
  if (reload) {
    const url = new URL(reload, location.origin);
    url.searchParams.set('id_token', token);
    location.replace(url.toString());
    return;
  }
  window.__toasts = [];
  window.shopify = {
    idToken: async () => token,
    toast: {show: (m, o) => { window.__toasts.push([m, o]); return 't'; }, hide() {}},
    loading() {},
    saveBar: {leaveConfirmation: async () => {}, show: async () => {}, hide: async () => {}},
    environment: {embedded: true, mobile: false},
    config: {apiKey: document.querySelector('meta[name=shopify-api-key]').content},
  };
})();
"""


async def _serve_app_bridge(page: Page, token: str) -> None:
    body = STAND_IN % {"token": json.dumps(token)}

    async def fulfill(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body=body)

    await page.route(APP_BRIDGE_SRC, fulfill)


async def _sandbox(stack: LocalStack, domain: str) -> tuple[Merchant, str, str]:
    """A store that has not installed the app; its embedded launch URL and an ID token."""
    merchant = Merchant(stack)
    await merchant.create_store(domain, products=3)
    control = f"{stack.shopify_url}/_sandbox/shops/{domain}"
    async with httpx.AsyncClient() as client:
        launch = (await client.post(f"{control}/launch",
                                    json={"url": f"{stack.app_url}/", "embedded": True})).json()
        token = (await client.post(f"{control}/session-token",
                                   json={"exp_in": 600})).json()["id_token"]
    return merchant, launch["url"], token


async def test_embedded_first_open_installs_by_token_exchange(page: Page,
                                                              ui_stack: LocalStack) -> None:
    domain = "embedded-ui.myshopify.com"
    merchant, launch_url, token = await _sandbox(ui_stack, domain)
    bearer: list[str] = []

    def seen(request: Request) -> None:
        if "/api/" in request.url:
            bearer.append(request.headers.get("authorization", ""))

    page.on("request", seen)
    await _serve_app_bridge(page, token)
    try:
        response = await page.goto(launch_url)
        assert response is not None
        assert response.headers["content-security-policy"] == (
            f"frame-ancestors https://{domain} https://admin.shopify.com;")
        html = await response.text()
        head = html.split("</head>")[0]
        assert f'<meta name="shopify-api-key" content="{ui_stack.settings.shopify_api_key}"' \
            in head
        first_script = re.search(r"<script[^>]*>", head)
        assert first_script is not None and APP_BRIDGE_SRC in first_script.group(0)
        await expect(page.get_by_role("heading", level=1, name="Home")).to_be_visible()
        # Embedded: App Bridge's nav menu, no in-app Polaris navigation.
        assert await page.locator("ui-nav-menu a").count() == 7
        assert await page.locator(".Polaris-Navigation").count() == 0
        assert bearer and all(h == f"Bearer {token}" for h in bearer)
        # The shop is installed: its API answers for the bearer token alone.
        async with httpx.AsyncClient(base_url=ui_stack.app_url) as client:
            session = await client.get("/api/session",
                                       headers={"Authorization": f"Bearer {token}"})
        assert session.status_code == 200 and session.json()["shop"] == domain
        await shot(page, "embedded-home")
        assert await axe_violations(page) == []
    finally:
        await merchant.close()


async def test_embedded_load_without_token_bounces_and_returns(page: Page,
                                                               ui_stack: LocalStack) -> None:
    domain = "embedded-bounce.myshopify.com"
    merchant, launch_url, token = await _sandbox(ui_stack, domain)
    await _serve_app_bridge(page, token)
    parts = urlsplit(launch_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "id_token"}
    no_token = f"{ui_stack.app_url}/products?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    hops: list[str] = []
    page.on("framenavigated", lambda frame: hops.append(frame.url))
    try:
        await page.goto(no_token)
        await expect(page.get_by_role("heading", level=1, name="Products")).to_be_visible()
        assert any("/auth/session-token?" in h and "shopify-reload" in h for h in hops)
        assert "id_token=" in page.url and urlsplit(page.url).path == "/products"
    finally:
        await merchant.close()


async def test_bad_session_tokens_get_a_retryable_401(ui_stack: LocalStack) -> None:
    async with httpx.AsyncClient(base_url=ui_stack.app_url) as client:
        forged = await client.get("/api/session", headers={"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401
        assert forged.headers["x-shopify-retry-invalid-session-request"] == "1"
        # A document load with a forged token is bounced, never trusted or installed.
        bounced = await client.get("/", params={"embedded": "1", "shop": "evil.myshopify.com",
                                                "host": "YWRtaW4", "id_token": "x.y.z"})
        assert bounced.status_code == 302
        assert bounced.headers["location"].startswith("/auth/session-token?")
        # A malformed shop is not an embedded load at all.
        odd = await client.get("/", params={"embedded": "1", "shop": "evil.com/x",
                                            "host": "YWRtaW4"})
        assert odd.status_code == 200
        assert odd.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert "app-bridge.js" not in odd.text
