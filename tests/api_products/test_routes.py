"""Every route of the product pages: documented in /openapi.json, 401 without a session, 404 on
another shop's connection (tenant isolation)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from fastapi.routing import APIRoute

from ecomsend.demo.stack import SHOPIFY_KEY, SHOPIFY_SECRET
from ecomsend.web.product_pages import PRODUCT_PAGE_ROUTERS

from .conftest import Tenant

ROUTES = sorted({(method, r.path) for router in PRODUCT_PAGE_ROUTERS for r in router.routes
                 if isinstance(r, APIRoute) for method in r.methods})
#: A valid body for each route that takes one (so a 404/401 is never a 422 in disguise).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/connections/{connection_id}/products/sync"): {"product_ids": [1]},
    ("POST", "/api/connections/{connection_id}/templates"):
        {"name": "x", "category_id": "1"},
    ("PUT", "/api/connections/{connection_id}/templates/{template_id}"):
        {"name": "x", "category_id": "1"},
    ("POST", "/api/connections/{connection_id}/links"):
        {"pairs": [{"shopify_variant_id": "v", "tiktok_product_id": "p", "tiktok_sku_id": "s"}]},
    ("PUT", "/api/connections/{connection_id}/settings/product"): {},
}


def _path(template: str, connection_id: int) -> str:
    return (template.replace("{connection_id}", str(connection_id))
            .replace("{product_id}", "1").replace("{template_id}", "1")
            .replace("{link_id}", "1").replace("{category_id}", "600001"))


def test_there_are_routes_for_every_page() -> None:
    paths = {p for _, p in ROUTES}
    for fragment in ("/products", "/templates", "/links", "/settings/product", "/readiness",
                     "/tiktok/categories"):
        assert any(fragment in p for p in paths), fragment
    assert len(ROUTES) >= 30


async def test_openapi_documents_every_route(anonymous: httpx.AsyncClient) -> None:
    spec = (await anonymous.get("/openapi.json")).json()
    for method, path in ROUTES:
        operation = spec["paths"][path][method.lower()]
        assert operation.get("summary"), (method, path)
        codes = operation["responses"].keys()
        assert codes & {"200", "201", "204"}, (method, path)
        assert {"401", "404"} <= codes, (method, path)
        assert "422" in codes or method == "DELETE" or not operation.get("parameters"), \
            (method, path)
    body = spec["paths"]["/api/connections/{connection_id}/products/sync"]["post"]
    assert body["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("SyncIn")
    assert "ProductPage" in spec["components"]["schemas"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_401_without_a_session(anonymous: httpx.AsyncClient, alice: Tenant, method: str,
                                     path: str) -> None:
    response = await anonymous.request(method, _path(path, alice.connection_id),
                                       json=BODIES.get((method, path)))
    assert response.status_code == 401, response.text
    forged = await anonymous.request(method, _path(path, alice.connection_id),
                                     json=BODIES.get((method, path)),
                                     headers={"Authorization": "Bearer not-a-jwt"})
    assert forged.status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_404_on_another_shops_connection(alice: Tenant, bob: Tenant, method: str,
                                               path: str) -> None:
    response = await alice.http.request(method, alice.merchant.stack.app_url
                                        + _path(path, bob.connection_id),
                                        json=BODIES.get((method, path)))
    assert response.status_code == 404, response.text
    assert "connection" in response.json()["detail"]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # demo secret
async def test_app_bridge_bearer_token_is_a_session(anonymous: httpx.AsyncClient, alice: Tenant,
                                                    bob: Tenant) -> None:
    """Embedded in Shopify admin: an App Bridge session token (HS256, aud = API key) signs in;
    it acts for its own shop only."""
    now = int(time.time())
    token = jwt.encode({"iss": f"https://{alice.domain}/admin", "dest": f"https://{alice.domain}",
                        "aud": SHOPIFY_KEY, "sub": "1", "exp": now + 60, "nbf": now - 5,
                        "iat": now, "jti": "t1", "sid": "s1"}, SHOPIFY_SECRET, algorithm="HS256")
    headers = {"Authorization": f"Bearer {token}"}
    mine = await anonymous.get(_path("/api/connections/{connection_id}/products",
                                     alice.connection_id), headers=headers)
    assert mine.status_code == 200 and mine.json()["total"] > 0
    theirs = await anonymous.get(_path("/api/connections/{connection_id}/products",
                                       bob.connection_id), headers=headers)
    assert theirs.status_code == 404
