"""Token get/refresh (absolute expiries, single-use codes, rotation) and the consent page."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import httpx

from .conftest import REDIRECT_URI
from .helpers import APP_KEY, APP_SECRET, Api, Control


async def _token(http: httpx.AsyncClient, **params: str) -> dict:
    resp = await http.get("/api/v2/token/get", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "grant_type": "authorized_code", **params})
    return resp.json()


async def _refresh(http: httpx.AsyncClient, refresh_token: str) -> dict:
    resp = await http.get("/api/v2/token/refresh", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "grant_type": "refresh_token",
        "refresh_token": refresh_token})
    return resp.json()


async def test_token_get_absolute_expiry_and_single_use(http: httpx.AsyncClient,
                                                        control: Control) -> None:
    view = await control("POST", "/shops", {"region": "DE"})
    env = await _token(http, auth_code=view["auth_code"])
    data = env["data"]
    now = time.time()
    assert env["code"] == 0
    assert now + 6 * 86400 < data["access_token_expire_in"] <= now + 7 * 86400 + 5
    assert data["refresh_token_expire_in"] > data["access_token_expire_in"]
    assert data["seller_base_region"] == "DE" and data["user_type"] == 0
    again = await _token(http, auth_code=view["auth_code"])
    assert again["code"] == 36004004 and again["data"] is None
    bad = await _token(http, auth_code="nope")
    assert bad["code"] == 36004004
    wrong_grant = await _token(http, auth_code=view["auth_code"], grant_type="authorization_code")
    assert wrong_grant["code"] == 36009004


async def test_refresh_rotates(http: httpx.AsyncClient, control: Control) -> None:
    view = await control("POST", "/shops", {"region": "GB"})
    first = (await _token(http, auth_code=view["auth_code"]))["data"]
    second = await _refresh(http, first["refresh_token"])
    assert second["code"] == 0
    assert second["data"]["refresh_token"] != first["refresh_token"]
    assert second["data"]["access_token"] != first["access_token"]
    assert (await _refresh(http, first["refresh_token"]))["code"] != 0
    api = Api(http, second["data"]["access_token"], view["cipher"])
    await api.ok("GET", "/logistics/202309/warehouses")
    await control("POST", "/tokens/expire", {"shop_id": view["shop_id"], "refresh": True})
    assert (await _refresh(http, second["data"]["refresh_token"]))["code"] != 0


async def test_consent_redirects_with_code_and_state(http: httpx.AsyncClient,
                                                     control: Control) -> None:
    view = await control("POST", "/shops", {"region": "FR"})
    resp = await http.get("/oauth/authorize", params={
        "service_id": "7000000000000000001", "state": "csrf-123", "shop_id": view["shop_id"]})
    assert resp.status_code == 302
    location = urlparse(resp.headers["location"])
    assert location._replace(query="").geturl() == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["csrf-123"]
    data = (await _token(http, auth_code=query["code"][0]))["data"]
    api = Api(http, data["access_token"], None)
    shops = await api.ok("GET", "/authorization/202309/shops")
    assert [s["id"] for s in shops["shops"]] == [view["shop_id"]]
    denied = await http.get("/open/authorize", params={
        "service_id": "7000000000000000001", "state": "s", "deny": "1"})
    assert parse_qs(urlparse(denied.headers["location"]).query)["error"] == ["auth_denied"]


async def test_one_token_for_several_shops(http: httpx.AsyncClient, control: Control) -> None:
    a = await control("POST", "/shops", {"region": "IT"})
    b = await control("POST", "/shops", {"region": "ES", "seller_type": "CROSS_BORDER"})
    code = (await control("POST", f"/shops/{a['shop_id']}/auth_code",
                          {"extra_shop_ids": [b["shop_id"]]}))["code"]
    data = (await _token(http, auth_code=code))["data"]
    shops = await Api(http, data["access_token"], None).ok("GET", "/authorization/202309/shops")
    assert {(s["region"], s["seller_type"]) for s in shops["shops"]} == {
        ("IT", "LOCAL"), ("ES", "CROSS_BORDER")}


async def test_token_calls_are_logged_per_shop(http: httpx.AsyncClient, control: Control) -> None:
    view = await control("POST", "/shops", {"region": "JP"})
    data = (await _token(http, auth_code=view["auth_code"]))["data"]
    await _refresh(http, data["refresh_token"])
    log = await control("GET", "/requests", shop_id=view["shop_id"])
    assert log["counts"] == {"GET /api/v2/token/get": 1, "GET /api/v2/token/refresh": 1}


async def test_deauthorize_revokes_and_notifies(http: httpx.AsyncClient, control: Control,
                                                hooks: object) -> None:
    view = await control("POST", "/shops", {"region": "US"})
    data = (await _token(http, auth_code=view["auth_code"]))["data"]
    api = Api(http, data["access_token"], view["cipher"])
    await api.ok("GET", "/logistics/202309/warehouses")
    assert (await control("POST", f"/shops/{view['shop_id']}/deauthorize"))["revoked"] == 1
    assert (await api.err("GET", "/logistics/202309/warehouses"))[0] == 36009004
    await control("POST", f"/shops/{view['shop_id']}/authorization_expiring")
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    types = [d["type"] for d in (await control("GET", "/webhooks",
                                               shop_id=view["shop_id"]))["deliveries"]]
    assert types == [6, 7]


async def test_consent_service_id_check(http: httpx.AsyncClient, control: Control) -> None:
    await control("PUT", "/consent", {"service_id": "svc-1"})
    try:
        bad = await http.get("/open/authorize", params={"service_id": "other", "state": "s"})
        assert bad.status_code == 400
        good = await http.get("/open/authorize", params={"service_id": "svc-1", "state": "s"})
        assert good.status_code == 302
    finally:
        await control("PUT", "/consent", {"service_id": None})
