"""Scopes per endpoint (105005 with TikTok's message when the token lacks it) and the consent
page where a seller picks which of their shops to authorize."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx

from .helpers import APP_KEY, APP_SECRET, Api, Control

MSG_105005 = ("Access denied. The app is not authorized to access the endpoint because the "
              "access scopes granted for the app or the access token do not contain the "
              "required access scope for the endpoint.")


async def _token(http: httpx.AsyncClient, code: str) -> dict[str, object]:
    resp = await http.get("/api/v2/token/get", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": code,
        "grant_type": "authorized_code"})
    return resp.json()["data"]  # type: ignore[no-any-return]


async def test_missing_scope_is_105005(http: httpx.AsyncClient, control: Control) -> None:
    view = await control("POST", "/shops", {"region": "US", "scopes": [
        "seller.product.basic", "seller.logistics"]})
    data = await _token(http, view["auth_code"])
    assert data["granted_scopes"] == ["seller.product.basic", "seller.logistics"]
    api = Api(http, str(data["access_token"]), view["cipher"])
    await api.ok("GET", "/logistics/202309/warehouses")
    await api.ok("GET", "/product/202312/prerequisites")
    for method, path, body in (
            ("POST", "/order/202309/orders/search", {}),
            ("POST", "/product/202309/products", {"title": "x"}),
            ("POST", "/fulfillment/202309/packages/search", {})):
        resp = await api.call(method, path, body, query={"page_size": "10"})
        env = resp.json()
        assert (resp.status_code, env["code"], env["message"], env["data"]) == (
            403, 105005, MSG_105005, None), (path, env)
    full = await _token(http, (await control("POST", f"/shops/{view['shop_id']}/auth_code",
                                             {}))["code"])
    assert "seller.order.info" in full["granted_scopes"]
    await Api(http, str(full["access_token"]), view["cipher"]).ok(
        "POST", "/order/202309/orders/search", {}, query={"page_size": "10"})


async def test_refresh_keeps_the_granted_scopes(http: httpx.AsyncClient,
                                                control: Control) -> None:
    view = await control("POST", "/shops", {"region": "GB", "scopes": ["seller.logistics"]})
    data = await _token(http, view["auth_code"])
    resp = await http.get("/api/v2/token/refresh", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": data["refresh_token"],
        "grant_type": "refresh_token"})
    assert resp.json()["data"]["granted_scopes"] == ["seller.logistics"]


async def test_seller_picks_shops_on_the_consent_page(http: httpx.AsyncClient,
                                                      control: Control) -> None:
    seller = "seller-picker"
    us = await control("POST", "/shops", {"region": "US", "seller": seller, "name": "Pick US"})
    gb = await control("POST", "/shops", {"region": "GB", "seller": seller, "name": "Pick GB"})
    page = await http.get("/oauth/authorize", params={"state": "st-1"})
    assert page.status_code == 200 and "Pick US" in page.text and "Pick GB" in page.text
    assert 'name="state" value="st-1"' in page.text
    assert set(re.findall(r'name="shop_id" value="(\d+)"', page.text)) == {
        us["shop_id"], gb["shop_id"]}
    # The seller unticks GB and submits the form (GET back with the ticked shop_id).
    chosen = await http.get("/oauth/authorize", params={"state": "st-1",
                                                        "shop_id": gb["shop_id"]})
    assert chosen.status_code == 302
    query = parse_qs(urlparse(chosen.headers["location"]).query)
    assert query["state"] == ["st-1"]
    data = await _token(http, query["code"][0])
    shops = await Api(http, str(data["access_token"]), None).ok(
        "GET", "/authorization/202309/shops")
    assert [s["id"] for s in shops["shops"]] == [gb["shop_id"]]
    both = await http.get("/oauth/authorize", params=[("state", "s"), ("shop_id", us["shop_id"]),
                                                      ("shop_id", gb["shop_id"])])
    data = await _token(http, parse_qs(urlparse(both.headers["location"]).query)["code"][0])
    shops = await Api(http, str(data["access_token"]), None).ok(
        "GET", "/authorization/202309/shops")
    assert {s["id"] for s in shops["shops"]} == {us["shop_id"], gb["shop_id"]}
    other = await control("POST", "/shops", {"region": "FR"})  # another seller
    mixed = await http.get("/oauth/authorize", params=[("shop_id", us["shop_id"]),
                                                       ("shop_id", other["shop_id"])])
    assert mixed.status_code == 400
    alone = await http.get("/oauth/authorize", params={"state": "s"})  # FR seller: one shop
    assert alone.status_code == 302
