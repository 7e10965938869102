"""Signing, timestamp, app_key, token and shop_cipher checks with their documented codes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ecomsend.sandbox.tiktok.signing import request_sign, webhook_signature

from .conftest import connect
from .helpers import APP_KEY, Api, Control, sign

VECTORS = Path(__file__).resolve().parents[3] / "shared/contracts/tiktok/signing-test-vectors.json"


#: Copies of the key vectors (doc worked example, EcomPHP unit test, doc webhook example), so
#: the check runs even without the shared contracts directory.
EMBEDDED_REQUEST = [
    ("e59af819cc", "/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"},
     "", "application/json", "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"),
    ("app_secret", "/test-api", {"foo": "bar"}, "", None,
     "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"),
]
EMBEDDED_WEBHOOK = (
    "abcdef", "123",
    '{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
    '"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
    '"order_status":"UNPAID","update_time":1718305585}}',
    "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05")


def test_embedded_vectors_verify() -> None:
    for secret, path, query, body, ctype, expected in EMBEDDED_REQUEST:
        assert request_sign(secret, path, query, body.encode(), ctype) == expected
    key, secret, raw, expected = EMBEDDED_WEBHOOK
    assert webhook_signature(key, secret, raw.encode()) == expected


def _vectors() -> dict[str, Any]:
    if not VECTORS.exists():
        pytest.skip("shared signing vectors not available")
    return json.loads(VECTORS.read_text())


def test_request_signing_vectors_verify() -> None:
    for v in _vectors()["request_signing"]:
        got = request_sign(v["app_secret"], v["path"], v["query"], v["body"].encode(),
                           v["content_type"])
        assert got == v["expected_sign"], v["name"]
        multipart = (v["content_type"] or "").startswith("multipart/")
        assert sign(v["app_secret"], v["path"], v["query"], v["body"].encode(),
                    multipart) == v["expected_sign"]


def test_webhook_signing_vectors_verify() -> None:
    for v in _vectors()["webhook_signing"]:
        got = webhook_signature(v["app_key"], v["app_secret"], v["raw_body"].encode())
        assert got == v["expected_authorization_header"], v["name"]


async def test_signed_request_succeeds(us: tuple[Api, dict[str, Any]]) -> None:
    api, view = us
    data = await api.ok("GET", "/authorization/202309/shops", cipher=False)
    assert [s["cipher"] for s in data["shops"]] == [view["cipher"]]
    assert data["shops"][0]["seller_type"] == "LOCAL"


async def test_bad_and_missing_sign(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    resp = await api.call("GET", "/logistics/202309/warehouses", signature="0" * 64)
    assert resp.status_code == 401 and resp.json()["code"] == 106001
    # a body changed after signing breaks the signature too
    q = {"app_key": APP_KEY, "timestamp": str(int(time.time())), "shop_cipher": api.cipher or ""}
    q["sign"] = sign("sbx-test-secret", "/event/202309/webhooks", q, b'{"a":1}')
    resp = await api.http.put("/event/202309/webhooks", params=q, content=b'{"a":2}',
                              headers={"x-tts-access-token": api.token,
                                       "content-type": "application/json"})
    assert resp.json()["code"] == 106001
    q.pop("sign")
    resp = await api.http.get("/logistics/202309/warehouses", params=q,
                              headers={"x-tts-access-token": api.token})
    assert resp.status_code == 401 and resp.json()["code"] == 36009004
    assert "signature" in resp.json()["message"]


@pytest.mark.parametrize(("offset", "needle"), [(-301, "5 minutes"), (31, "30 seconds")])
async def test_timestamp_window(us: tuple[Api, dict[str, Any]], offset: int, needle: str
                                ) -> None:
    api, _ = us
    code, env = await api.err("GET", "/logistics/202309/warehouses",
                              timestamp=int(time.time()) + offset)
    assert code == 36009004 and needle in env["message"]


async def test_timestamp_inside_window_is_accepted(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    await api.ok("GET", "/logistics/202309/warehouses", timestamp=int(time.time()) - 290)
    await api.ok("GET", "/logistics/202309/warehouses", timestamp=int(time.time()) + 20)


async def test_app_key_and_token(us: tuple[Api, dict[str, Any]], control: Control) -> None:
    api, view = us
    resp = await api.call("GET", "/logistics/202309/warehouses", app_key="other")
    assert resp.status_code == 400 and resp.json()["code"] == 36009004
    assert "app_key" in resp.json()["message"]
    code, env = await api.err("GET", "/logistics/202309/warehouses", token="TTP_nope")
    assert code == 36009004 and "x-tts-access-token" in env["message"]
    await control("POST", "/tokens/expire", {"shop_id": view["shop_id"]})
    resp = await api.call("GET", "/logistics/202309/warehouses")
    assert resp.status_code == 401 and resp.json()["code"] == 105002


async def test_shop_cipher_rules(http: httpx.AsyncClient, control: Control,
                                 us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    assert (await api.err("GET", "/logistics/202309/warehouses", cipher=False))[0] == 106013
    code, env = await api.err("GET", "/authorization/202309/shops")
    assert code == 36009004 and "not required" in env["message"]
    code, _ = await api.err("GET", "/logistics/202309/warehouses", cipher="ROW_unknown")
    assert code == 36009004
    other, _ = await connect(http, control, "GB")
    assert (await api.err("GET", "/logistics/202309/warehouses", cipher=other.cipher))[0] \
        == 101000


async def test_unknown_path_and_method(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    resp = await api.call("GET", "/product/202309/nothing")
    assert resp.status_code == 404 and resp.json()["code"] == 36009009
    resp = await api.call("DELETE", "/logistics/202309/warehouses")
    assert resp.json()["code"] == 36009010


async def test_page_token_with_reserved_characters(us: tuple[Api, dict[str, Any]]) -> None:
    """Brand pages use base64 tokens ('+', '/', '='): signed decoded, sent encoded."""
    api, _ = us
    seen: list[str] = []
    token = ""
    for _ in range(3):
        q = {"page_size": "7", **({"page_token": token} if token else {})}
        data = await api.ok("GET", "/product/202309/brands", query=q)
        seen += [b["id"] for b in data["brands"]]
        token = data["next_page_token"]
        assert data["total_count"] == 80
    assert len(seen) == len(set(seen)) == 21


async def test_envelope_shape(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    resp = await api.call("GET", "/logistics/202309/warehouses")
    env = resp.json()
    assert set(env) == {"code", "message", "request_id", "data"}
    assert env["message"] == "Success" and env["request_id"]
