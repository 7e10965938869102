"""The local stack's Shopify sandbox knows the app's allowed redirection URLs (as the Partner
Dashboard does): the grant screen refuses an authorize request whose redirect_uri points
anywhere else, and the app's own install still completes."""

from __future__ import annotations

from pathlib import Path

import httpx

from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant

DOMAIN = "redirect-check.myshopify.com"


async def test_grant_screen_refuses_a_foreign_redirect_uri(sqlite_db: Database,
                                                           tmp_path: Path) -> None:
    with LocalStack(tmp_path, database_url=sqlite_db.url,
                    settings_overrides={"token_encryption_key": sqlite_db.settings
                                        .token_encryption_key}) as stack:
        merchant = Merchant(stack)
        try:
            await merchant.create_store(DOMAIN, products=1)
            start = await merchant.browser.get(f"{stack.app_url}/auth/shopify/install",
                                               params={"shop": DOMAIN},
                                               follow_redirects=False)
            authorize = httpx.URL(start.headers["location"])
            assert authorize.params["redirect_uri"] == \
                f"{stack.app_url}/auth/shopify/callback"
            stolen = await merchant.browser.get(authorize.copy_set_param(
                "redirect_uri", "https://attacker.example/auth/shopify/callback"),
                follow_redirects=False)
            assert stolen.status_code == 400 and "redirect_uri" in stolen.text
            assert "attacker.example" not in stolen.headers.get("location", "")
            session = await merchant.install(DOMAIN)
            assert session["shop"] == DOMAIN
        finally:
            await merchant.close()
