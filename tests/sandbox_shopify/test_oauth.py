"""OAuth: authorize redirect with hmac, code grant, token exchange (session tokens, online,
expiring offline, migration) and refresh with rotation (reference §3)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt

#: The credentials the session sandbox was created with (conftest.py).
API_KEY = "test-key"
API_SECRET = "test-secret-long-enough-for-hs256-keys"

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"


def _token(http: httpx.Client, shop: str, **body: Any) -> httpx.Response:
    return http.post(f"/store/{shop}/admin/oauth/access_token",
                     json={"client_id": API_KEY, "client_secret": API_SECRET, **body})


def _works(http: httpx.Client, shop: str, token: str) -> bool:
    r = http.post(f"/store/{shop}/admin/api/2026-07/graphql.json",
                  json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": token})
    return r.status_code == 200


def test_shopify_hmac_test_vector() -> None:
    from ecomsend.sandbox.shopify.oauth import query_hmac
    params = {"code": "0907a61c0c8d55e99db179b68161bc00", "shop": "some-shop.myshopify.com",
              "state": "0.6784241404160823", "timestamp": "1337178173"}
    assert query_hmac("hush", params) == \
        "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"


def test_authorization_code_grant(http: httpx.Client) -> None:
    shop = "oauth-code.myshopify.com"
    r = http.get(f"/store/{shop}/admin/oauth/authorize", params={
        "client_id": API_KEY, "scope": "read_products,write_orders", "state": "nonce-1",
        "redirect_uri": "https://app.example/auth/callback", "grant_options[]": ""},
        follow_redirects=False)
    assert r.status_code == 302
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == \
        "https://app.example/auth/callback"
    params = dict(parse_qsl(location.query))
    assert params["state"] == "nonce-1" and params["shop"] == shop and params["host"]
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    assert params["hmac"] == hmac.new(API_SECRET.encode(), message.encode(),
                                      hashlib.sha256).hexdigest()
    assert abs(int(params["timestamp"]) - time.time()) < 10
    token = _token(http, shop, code=params["code"])
    assert token.status_code == 200
    assert token.json()["scope"] == "read_products,write_orders"
    assert token.json()["access_token"].startswith("shpat_")
    assert _works(http, shop, token.json()["access_token"])
    reused = _token(http, shop, code=params["code"])
    assert reused.status_code == 400  # codes are single-use
    wrong_secret = http.post(f"/store/{shop}/admin/oauth/access_token",
                             data={"client_id": API_KEY, "client_secret": "x", "code": "y"})
    assert wrong_secret.status_code == 400


def test_token_exchange_online_and_expiring_offline(shop: ShopClient, http: httpx.Client
                                                    ) -> None:
    id_token = shop.control("POST", "/session-token", json={"sub": "77"})["id_token"]
    claims = jwt.decode(id_token, API_SECRET, algorithms=["HS256"], audience=API_KEY)
    assert claims["dest"] == f"https://{shop.domain}"
    online = _token(http, shop.domain, grant_type=EXCHANGE, subject_token=id_token,
                    subject_token_type=ID_TOKEN, requested_token_type=ONLINE).json()
    assert online["associated_user"]["id"] == 77 and online["expires_in"] == 86399
    offline = _token(http, shop.domain, grant_type=EXCHANGE, subject_token=id_token,
                     subject_token_type=ID_TOKEN, requested_token_type=OFFLINE,
                     expiring="1").json()
    assert offline["expires_in"] == 3600 and offline["refresh_token"]
    assert offline["refresh_token_expires_in"] > 3600
    assert _works(http, shop.domain, offline["access_token"])
    forged = jwt.encode({**claims, "aud": "someone-else"}, API_SECRET, algorithm="HS256")
    bad = _token(http, shop.domain, grant_type=EXCHANGE, subject_token=forged,
                 subject_token_type=ID_TOKEN, requested_token_type=OFFLINE)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_subject_token"
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, API_SECRET,
                         algorithm="HS256")
    assert _token(http, shop.domain, grant_type=EXCHANGE, subject_token=expired,
                  subject_token_type=ID_TOKEN).status_code == 400


def test_refresh_rotation(shop: ShopClient, http: httpx.Client) -> None:
    id_token = shop.control("POST", "/session-token", json={})["id_token"]
    first = _token(http, shop.domain, grant_type=EXCHANGE, subject_token=id_token,
                   subject_token_type=ID_TOKEN, requested_token_type=OFFLINE,
                   expiring="1").json()
    second = _token(http, shop.domain, grant_type="refresh_token",
                    refresh_token=first["refresh_token"])
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"] and new["expires_in"] == 3600
    assert _works(http, shop.domain, new["access_token"])  # first use of the new token
    stale = _token(http, shop.domain, grant_type="refresh_token",
                   refresh_token=first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    third = _token(http, shop.domain, grant_type="refresh_token",
                   refresh_token=new["refresh_token"])
    assert third.status_code == 200


def test_migrate_non_expiring_offline_token(shop: ShopClient, http: httpx.Client) -> None:
    migrated = _token(http, shop.domain, grant_type=EXCHANGE, subject_token=shop.token,
                      subject_token_type=OFFLINE, requested_token_type=OFFLINE, expiring="1")
    assert migrated.status_code == 200 and migrated.json()["refresh_token"]
    assert not _works(http, shop.domain, shop.token)
    assert _works(http, shop.domain, migrated.json()["access_token"])


def test_expired_access_token_is_401(shop_factory: Any, sandbox: Any) -> None:
    shop = shop_factory(expiring=True)
    assert shop.gql_raw("{ shop { name } }").status_code == 200
    sandbox.tokens[shop.token].expires_at = time.time() - 1
    assert shop.gql_raw("{ shop { name } }").status_code == 401


def test_launch_url_is_signed(shop: ShopClient) -> None:
    url = shop.control("POST", "/launch", json={"url": "https://app.example/home"})["url"]
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["embedded"] == "1" and params["shop"] == shop.domain
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    assert params["hmac"] == hmac.new(API_SECRET.encode(), message.encode(),
                                      hashlib.sha256).hexdigest()
    claims = jwt.decode(params["id_token"], API_SECRET, algorithms=["HS256"], audience=API_KEY)
    assert claims["dest"] == f"https://{shop.domain}"
