"""Bad input on every route is a clear 4xx, never a 500, on SQLite and PostgreSQL: ids, offsets
and page numbers past 64-bit, NUL bytes in ids and text, NaN/Infinity and integers past 64-bit
in JSON bodies, 5,000-deep JSON, a 300-character shop name on the install route. Each route of
the app's own OpenAPI document is probed over real HTTP, signed in as a shop with a
connection whose TikTok tokens are gone (a route that gets as far as TikTok answers 409)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from ecomsend.db.models import TikTokShop
from ecomsend.db.session import Database
from ecomsend.serving import BackgroundServer, free_port
from ecomsend.web.app import create_app

from .home_activity_seed import client_for, seed_shop

HUGE = str(2**64 + 5)
NUL = "a\x00b"
DEEP = b"[" * 5000 + b"]" * 5000
BODIES = [b'{"ids": [NaN], "value": Infinity, "name": "x"}', b'{"ids": [' + HUGE.encode() + b"]}",
          b'{"name": "a\\u0000b", "ids": [1], "order_ids": ["a\\u0000b"]}', DEEP]


@pytest.fixture
async def signed_in(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    db.settings.tiktok_api_base_url = f"http://127.0.0.1:{free_port()}"
    seeded = await seed_shop(db, "probe.myshopify.com", "7301")
    async with db.unit_of_work() as session:  # disconnected: TikTok routes answer 409 at once
        await session.execute(update(TikTokShop).values(access_token=None, refresh_token=None))
    app = create_app(db.settings, run_worker=False)
    with BackgroundServer(app) as url:
        async with client_for(db, url, seeded) as http:
            yield http, app.openapi()


def _path_variants(path: str, params: list[dict[str, Any]]) -> list[str]:
    """The path with each path parameter set to huge, NUL, negative; others as 1."""
    names = re.findall(r"{(\w+)}", path)
    out = []
    for bad in (HUGE, "%00x"):
        for name in names:
            filled = path
            for other in names:
                filled = filled.replace("{" + other + "}", bad if other == name else "1")
            out.append(filled)
    return out or [path]


def _bad_queries(params: list[dict[str, Any]]) -> list[dict[str, str]]:
    queries = []
    for p in params:
        if p.get("in") != "query":
            continue
        for bad in (HUGE, NUL):
            queries.append({p["name"]: bad})
    return queries


async def test_no_route_answers_500_to_bad_input(
        signed_in: tuple[httpx.AsyncClient, dict[str, Any]]) -> None:
    http, schema = signed_in
    failures = []
    for path, ops in schema["paths"].items():
        if path.startswith(("/auth/", "/webhooks/")):
            continue
        for method, op in ops.items():
            params = op.get("parameters", [])
            calls: list[tuple[str, dict[str, str], bytes | None]] = [
                (p, {}, None) for p in _path_variants(path, params)]
            base = path.replace("{connection_id}", "1")
            base = re.sub(r"{\w+}", "1", base)
            calls += [(base, q, None) for q in _bad_queries(params)]
            if "requestBody" in op:
                calls += [(base, {}, body) for body in BODIES]
            for url, query, body in calls:
                what = f"{method.upper()} {url} {query} {(body or b'')[:40]!r}"
                try:
                    response = await http.request(
                        method.upper(), url, params=query, content=body,
                        headers={"Content-Type": "application/json"} if body else None)
                except httpx.HTTPError as exc:
                    failures.append(f"{what} → {type(exc).__name__}")
                    continue
                if response.status_code == 500 or response.status_code > 503:
                    failures.append(f"{what} → {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_a_300_character_shop_name_on_install_is_400(
        signed_in: tuple[httpx.AsyncClient, dict[str, Any]]) -> None:
    http, _ = signed_in
    for shop in ("a" * 300 + ".myshopify.com", "a" * 64 + ".myshopify.com",
                 NUL + ".myshopify.com", "x" * 5000):
        response = await http.get("/auth/shopify/install", params={"shop": shop})
        assert 400 <= response.status_code < 500, (shop[:20], response.status_code)
