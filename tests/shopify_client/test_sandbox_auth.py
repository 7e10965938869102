"""OAuth (code grant, token exchange, refresh) and webhook deliveries against the sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from ecomsend.config import Settings
from ecomsend.integrations.shopify import (
    AccessToken,
    AuthenticationFailed,
    ExpiringToken,
    ShopifyClient,
    TokenRejected,
)
from ecomsend.integrations.shopify.oauth import (
    authorization_url,
    exchange_session_token,
    new_state_nonce,
    request_access_token,
    verify_signed_query,
)
from ecomsend.integrations.shopify.session_token import verify_session_token
from ecomsend.integrations.shopify.webhook_models import ProductPayload
from ecomsend.integrations.shopify.webhooks import parse_payload, read_delivery
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import BackgroundServer

from .conftest import API_KEY, API_SECRET, SandboxShop


async def test_code_grant_install_flow(sandbox_shop: SandboxShop) -> None:
    state = new_state_nonce()
    url = authorization_url(sandbox_shop.shop_url, api_key=API_KEY,
                            scopes="read_products,write_inventory",
                            redirect_uri="https://app.example.com/auth/callback", state=state)
    async with httpx.AsyncClient() as http:
        grant = await http.get(url)
        assert grant.status_code == 302
        callback = urlsplit(grant.headers["location"])
        assert callback.path == "/auth/callback"
        params = dict(parse_qsl(callback.query))
        assert verify_signed_query(params, secret=API_SECRET, expected_state=state) == \
            sandbox_shop.domain
        token = await request_access_token(http, sandbox_shop.shop_url, api_key=API_KEY,
                                           api_secret=API_SECRET, code=params["code"])
        assert token.refresh_token and token.expires_at and not token.online
        async with sandbox_shop.client(token=token.access_token) as client:
            assert (await client.shop_info()).myshopify_domain == sandbox_shop.domain
        with pytest.raises(AuthenticationFailed):  # a code is single-use
            await request_access_token(http, sandbox_shop.shop_url, api_key=API_KEY,
                                       api_secret=API_SECRET, code=params["code"])


async def test_token_exchange_from_session_token(sandbox_shop: SandboxShop) -> None:
    id_token = (await sandbox_shop.post("/session-token", {"sub": "42", "exp_in": 60}))["id_token"]
    session = verify_session_token(id_token, api_key=API_KEY, api_secret=API_SECRET)
    assert session.shop == sandbox_shop.domain and session.user_id == "42"
    async with httpx.AsyncClient() as http:
        offline = await exchange_session_token(http, sandbox_shop.shop_url, api_key=API_KEY,
                                               api_secret=API_SECRET, session_token=id_token)
        assert not offline.online and offline.refresh_token
        online = await exchange_session_token(http, sandbox_shop.shop_url, api_key=API_KEY,
                                              api_secret=API_SECRET, session_token=id_token,
                                              online=True)
        assert online.online
        async with sandbox_shop.client(token=offline.access_token) as client:
            assert (await client.shop_info()).name


async def test_expiring_token_is_refreshed_and_persisted(sandbox_url: str) -> None:
    domain = "refresh-test.myshopify.com"
    async with httpx.AsyncClient(base_url=sandbox_url) as control:
        body = (await control.post("/_sandbox/shops", json={"domain": domain,
                                                            "expiring": True})).json()
    shop_url = f"{sandbox_url}/store/{domain}"
    saved: list[AccessToken] = []

    async def save(token: AccessToken) -> None:
        saved.append(token)

    async with httpx.AsyncClient() as http:
        # pretend the hour is nearly over: the source refreshes before sending
        current = AccessToken(body["access_token"], body["scope"],
                              datetime.now(UTC) + timedelta(seconds=30), body["refresh_token"])
        source = ExpiringToken(current, http=http, shop_base_url=shop_url, api_key=API_KEY,
                               api_secret=API_SECRET, save=save)
        async with SandboxShop(sandbox_url, domain, "", [], control=http).client(
                token=source, http=http) as client:
            results = await asyncio.gather(*(client.shop_info() for _ in range(5)))
        assert {r.myshopify_domain for r in results} == {domain}
        assert len(saved) == 1 and saved[0].refresh_token != body["refresh_token"]
        assert source.current.access_token == saved[0].access_token != body["access_token"]


async def test_webhook_deliveries_verify_and_parse(sandbox_shop: SandboxShop) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with BackgroundServer(receiver, lifespan="off") as hook_url:
        async with sandbox_shop.client() as client:
            await client.create_webhook_subscription("PRODUCTS_UPDATE", f"{hook_url}/webhooks")
            product = (await client.products_page(first=1)).items[0]
        await sandbox_shop.post(f"/products/{product.id}", {"title": "Renamed ✓"}, "PATCH")
        await sandbox_shop.control.post("/_sandbox/webhooks/flush", params={"timeout": 10})
    assert received, "no delivery"
    headers, body = received[-1]
    delivery = read_delivery(headers, body, API_SECRET)
    assert delivery.topic == "products/update" and delivery.shop_domain == sandbox_shop.domain
    payload = parse_payload(delivery.topic, body)
    assert isinstance(payload, ProductPayload)
    assert payload.title == "Renamed ✓" and payload.admin_graphql_api_id == product.id


async def test_revoked_token_after_uninstall_is_typed(sandbox_shop: SandboxShop) -> None:
    async with sandbox_shop.client() as client:
        assert (await client.shop_info()).name
        await sandbox_shop.post("/uninstall")
        with pytest.raises(TokenRejected, match="401"):
            await client.shop_info()


async def test_client_from_settings_uses_url_template(sandbox_shop: SandboxShop,
                                                      tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path,  # type: ignore[call-arg]
                        shopify_shop_url_template=f"{sandbox_shop.base}/store/{{shop}}")
    client = ShopifyClient.for_shop(settings, sandbox_shop.domain, sandbox_shop.token,
                                    limiter=InProcessRateLimiter())
    async with client:
        assert client.transport.endpoint == \
            f"{sandbox_shop.shop_url}/admin/api/2026-07/graphql.json"
        assert (await client.shop_info()).myshopify_domain == sandbox_shop.domain
