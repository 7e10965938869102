"""OAuth, session-token and webhook security: the test vectors of reference §3 and §4."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from ecomsend.integrations.shopify.errors import InvalidShopDomain, InvalidSignature
from ecomsend.integrations.shopify.oauth import (
    authorization_url,
    new_state_nonce,
    normalize_shop_domain,
    parse_token_response,
    query_hmac,
    query_hmac_message,
    verify_query_hmac,
    verify_signed_query,
)
from ecomsend.integrations.shopify.session_token import verify_session_token
from ecomsend.integrations.shopify.webhooks import (
    parse_payload,
    read_delivery,
    verify_webhook_hmac,
    webhook_hmac,
)

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SHARED = Path(__file__).resolve().parents[3] / "shared"
EXAMPLES = SHARED / "contracts" / "shopify" / "webhooks" / "examples-2026-07"

# reference §3.2: Shopify's documented query-HMAC vector.
DOC_PARAMS = {"code": "0907a61c0c8d55e99db179b68161bc00", "shop": "some-shop.myshopify.com",
              "state": "0.6784241404160823", "timestamp": "1337178173"}
DOC_HMAC = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
# reference §3.3: session token signed with app-secret-xyz.
JWT_VECTOR = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUtc2hvcC5teXNob3BpZnku"
    "Y29tL2FkbWluIiwiZGVzdCI6Imh0dHBzOi8vZXhhbXBsZS1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJjbGllbn"
    "QtaWQtMTIzIiwic3ViIjoiNDIiLCJleHAiOjE4MDAwMDAwNjAsIm5iZiI6MTgwMDAwMDAwMCwiaWF0IjoxODAwMDAw"
    "MDAwLCJqdGkiOiJmODkxMjEyOS0xYWY2LTRjYWQtOWNhMy03NmIwZjc2MjEwODciLCJzaWQiOiJhYWVhMTgyZjI3Mz"
    "JkNDRjMjMwNTdjMGZlYTU4NDAyMWE0NDg1YjJiZDI1ZDNlYjdmZDM0OTMxM2FkMjRjNjg1In0.kO3lRgNviCfqZtTx"
    "asnc9rw3fcIf_Uya7psMON2DXcE"
)
# reference §4.1: webhook HMAC vector.
WEBHOOK_BODY = b'{"id":788032119674292922,"title":"Example T-Shirt"}'
WEBHOOK_HMAC = "PChQV/s9qVvLuYZx4s3CvtPkNn5M2k1OrvTkc0qHHSM="


def test_query_hmac_matches_shopify_docs_vector() -> None:
    assert query_hmac_message(DOC_PARAMS) == (
        "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com"
        "&state=0.6784241404160823&timestamp=1337178173")
    assert query_hmac(DOC_PARAMS, "hush") == DOC_HMAC
    assert verify_query_hmac({**DOC_PARAMS, "hmac": DOC_HMAC}, "hush")
    assert verify_query_hmac({**DOC_PARAMS, "hmac": DOC_HMAC.upper()}, "hush")
    assert not verify_query_hmac({**DOC_PARAMS, "hmac": DOC_HMAC}, "other")
    assert not verify_query_hmac({**DOC_PARAMS, "state": "x", "hmac": DOC_HMAC}, "hush")
    assert not verify_query_hmac(DOC_PARAMS, "hush")


def test_query_hmac_escapes_delimiters_and_arrays() -> None:
    msg = query_hmac_message({"a=b": "1%&2", "ids[]": ["1", "2"], "hmac": "x", "signature": "y"})
    assert msg == 'a%3Db=1%25%262&ids=["1", "2"]'


def test_signed_query_checks_state_timestamp_and_shop() -> None:
    now = 1337178173 + 30
    params = {**DOC_PARAMS, "hmac": DOC_HMAC}
    assert verify_signed_query(params, secret="hush", expected_state=DOC_PARAMS["state"],
                               now=now) == "some-shop.myshopify.com"
    with pytest.raises(InvalidSignature, match="state"):
        verify_signed_query(params, secret="hush", expected_state="0.1", now=now)
    with pytest.raises(InvalidSignature, match="replay"):
        verify_signed_query(params, secret="hush", now=now + 3600)
    with pytest.raises(InvalidSignature, match="hmac"):
        verify_signed_query({**params, "hmac": "0" * 64}, secret="hush", now=now)
    evil = {**DOC_PARAMS, "shop": "evil.com"}
    with pytest.raises(InvalidShopDomain):
        verify_signed_query({**evil, "hmac": query_hmac(evil, "hush")}, secret="hush", now=now)


@pytest.mark.parametrize("shop", ["acme.myshopify.com", "ACME-2.myshopify.com ", "a.myshopify.com"])
def test_valid_shop_domains(shop: str) -> None:
    assert normalize_shop_domain(shop) == shop.strip().lower()


@pytest.mark.parametrize("shop", [
    "", None, "acme.shopify.com", "acme.myshopify.com.evil.com", "-acme.myshopify.com",
    "acme.myshopify.com/admin", "https://acme.myshopify.com", "ac me.myshopify.com",
    "acme_x.myshopify.com", "evil.com#.myshopify.com", "acme.myshopify.com\n",
])
def test_invalid_shop_domains(shop: str | None) -> None:
    if shop == "acme.myshopify.com\n":  # trailing whitespace is stripped, like the Python lib
        assert normalize_shop_domain(shop) == "acme.myshopify.com"
        return
    with pytest.raises(InvalidShopDomain):
        normalize_shop_domain(shop)


def test_authorization_url_offline_and_online() -> None:
    state = new_state_nonce()
    assert len(state) == 64 and state != new_state_nonce()
    url = authorization_url("https://acme.myshopify.com", api_key="k", scopes="read_products",
                            redirect_uri="https://app/cb", state=state)
    parts = urlsplit(url)
    assert parts.path == "/admin/oauth/authorize"
    q = parse_qs(parts.query, keep_blank_values=True)
    assert q == {"client_id": ["k"], "scope": ["read_products"], "redirect_uri": ["https://app/cb"],
                 "state": [state], "grant_options[]": [""]}
    online = authorization_url("https://acme.myshopify.com", api_key="k", scopes="s",
                               redirect_uri="https://app/cb", state=state, online=True)
    assert parse_qs(urlsplit(online).query)["grant_options[]"] == ["per-user"]


def test_token_response_shapes() -> None:
    legacy = parse_token_response({"access_token": "shpat_1", "scope": "read_products"})
    assert legacy.expires_at is None and not legacy.online and legacy.refresh_token is None
    expiring = parse_token_response({"access_token": "a", "scope": "s", "expires_in": 3600,
                                     "refresh_token": "r", "refresh_token_expires_in": 7776000})
    assert expiring.refresh_token == "r" and expiring.expires_within(3601)
    assert not expiring.expires_within(3000)
    online = parse_token_response({"access_token": "a", "scope": "s", "expires_in": 86399,
                                   "associated_user": {"id": 902541635}})
    assert online.online


def test_session_token_vector() -> None:
    st = verify_session_token(JWT_VECTOR, api_key="client-id-123", api_secret="app-secret-xyz",
                              now=1800000030)
    assert st.shop == "example-shop.myshopify.com"
    assert st.user_id == "42" and st.expires_at == 1800000060
    assert st.session_id and st.claims["jti"] == "f8912129-1af6-4cad-9ca3-76b0f7621087"
    # leeway 10 s on both ends
    verify_session_token(JWT_VECTOR, api_key="client-id-123", api_secret="app-secret-xyz",
                         now=1800000069)
    verify_session_token(JWT_VECTOR, api_key="client-id-123", api_secret="app-secret-xyz",
                         now=1799999991)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"now": 1800000071}, "expired"),
    ({"now": 1799999989}, "not yet valid"),
    ({"api_key": "other", "now": 1800000030}, "rejected"),
    ({"api_secret": "wrong", "now": 1800000030}, "rejected"),
])
def test_session_token_rejections(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"api_key": "client-id-123", "api_secret": "app-secret-xyz"}
    args.update(kwargs)
    with pytest.raises(InvalidSignature, match=match):
        verify_session_token(JWT_VECTOR, **args)  # type: ignore[arg-type]


def _claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "https://acme.myshopify.com/admin", "dest": "https://acme.myshopify.com",
        "aud": "key", "sub": "7", "exp": now + 60, "nbf": now, "iat": now, "jti": "j", "sid": "s"}
    claims.update(over)
    return claims


def test_session_token_refuses_alg_none_mismatched_shop_and_missing_claims() -> None:
    none_token = jwt.encode(_claims(), key=None, algorithm="none")
    with pytest.raises(InvalidSignature, match="algorithm"):
        verify_session_token(none_token, api_key="key", api_secret="secret")
    hs512 = jwt.encode(_claims(), "secret" * 8, algorithm="HS512")
    with pytest.raises(InvalidSignature, match="algorithm"):
        verify_session_token(hs512, api_key="key", api_secret="secret" * 8)
    other = jwt.encode(_claims(dest="https://evil.myshopify.com"), "secret", algorithm="HS256")
    with pytest.raises(InvalidSignature, match="different shops"):
        verify_session_token(other, api_key="key", api_secret="secret")
    bad_shop = jwt.encode(_claims(iss="https://evil.com/admin", dest="https://evil.com"),
                          "secret", algorithm="HS256")
    with pytest.raises(InvalidSignature, match="myshopify"):
        verify_session_token(bad_shop, api_key="key", api_secret="secret")
    claims = _claims()
    del claims["dest"]
    with pytest.raises(InvalidSignature, match="dest"):
        verify_session_token(jwt.encode(claims, "secret", algorithm="HS256"), api_key="key",
                             api_secret="secret")
    good = jwt.encode(_claims(), "secret", algorithm="HS256")
    assert verify_session_token(good, api_key="key", api_secret="secret").shop == \
        "acme.myshopify.com"


def test_webhook_hmac_vector_and_delivery_headers() -> None:
    assert webhook_hmac(WEBHOOK_BODY, "hush") == WEBHOOK_HMAC
    assert verify_webhook_hmac(WEBHOOK_BODY, WEBHOOK_HMAC, "hush")
    assert not verify_webhook_hmac(WEBHOOK_BODY + b" ", WEBHOOK_HMAC, "hush")
    assert not verify_webhook_hmac(WEBHOOK_BODY, None, "hush")
    headers = {"x-shopify-hmac-sha256": WEBHOOK_HMAC, "X-Shopify-Topic": "products/update",
               "X-Shopify-Shop-Domain": "acme.myshopify.com", "X-Shopify-Webhook-Id": "w1",
               "X-Shopify-API-Version": "2026-07", "X-Shopify-Event-Id": "e1",
               "X-Shopify-Triggered-At": "2026-11-27T10:00:00Z"}
    delivery = read_delivery(headers, WEBHOOK_BODY, "hush")
    assert (delivery.topic, delivery.shop_domain, delivery.webhook_id, delivery.event_id) == \
        ("products/update", "acme.myshopify.com", "w1", "e1")
    with pytest.raises(InvalidSignature):
        read_delivery({**headers, "x-shopify-hmac-sha256": "AAAA"}, WEBHOOK_BODY, "hush")
    with pytest.raises(InvalidSignature):
        read_delivery({**headers, "X-Shopify-Shop-Domain": "evil.com"}, WEBHOOK_BODY, "hush")


@pytest.mark.parametrize("topic", [
    "products/create", "products/update", "products/delete", "inventory_levels/update",
    "inventory_items/create", "inventory_items/update", "inventory_items/delete",
    "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
    "orders/partially_fulfilled", "fulfillments/create", "fulfillments/update",
    "bulk_operations/finish", "app/uninstalled", "customers/data_request", "customers/redact",
    "shop/redact", "inventory_levels/connect", "inventory_levels/disconnect",
])
def test_webhook_examples_parse(topic: str) -> None:
    example = json.loads((EXAMPLES / f"{topic.replace('/', '.')}.json").read_text())
    model = parse_payload(topic, json.dumps(example["response"]).encode())
    assert model is not None
    if topic == "products/update":
        assert model.tag_list == ["example", "mens", "t-shirt"]  # type: ignore[attr-defined]
        assert model.variants  # type: ignore[attr-defined]
