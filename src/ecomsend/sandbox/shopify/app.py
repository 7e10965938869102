"""`create_app`: the Shopify sandbox ASGI app (many shops on one port under /store/{shop}).

Routes: Admin GraphQL, OAuth, bulk result files, and the /_sandbox control API (CONTROL.md).
Called by `cli.serve_shopify_sandbox`, the demo, benchmarks and tests (with BackgroundServer).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ecomsend.sandbox.shopify import oauth
from ecomsend.sandbox.shopify.control import router as control_router
from ecomsend.sandbox.shopify.control_edits import router as edits_router
from ecomsend.sandbox.shopify.control_markets import router as markets_router
from ecomsend.sandbox.shopify.executor import run_graphql
from ecomsend.sandbox.shopify.faults import FaultMiddleware
from ecomsend.sandbox.shopify.resolvers.bulk import file_url
from ecomsend.sandbox.shopify.schema import API_VERSION, get_schema
from ecomsend.sandbox.shopify.store import Sandbox, Shop, Token
from ecomsend.sandbox.shopify.util import now
from ecomsend.sandbox.shopify.webhooks import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIME_SCALE,
    Dispatcher,
)

#: Shop domains the sandbox accepts (reference §3.2, the suggested validation regex).
SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com$")
#: The 401 body for a missing, unknown or expired token (reference §2).
INVALID_TOKEN = (
    "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105
)


def _not_found() -> JSONResponse:
    """Shopify's 404 body for an unknown shop or API version."""
    return JSONResponse({"errors": "Not Found"}, status_code=404)


def _authenticate(sandbox: Sandbox, shop: Shop, request: Request) -> Token | None:
    """The request's valid access token for `shop`, or None (→ 401)."""
    value = request.headers.get("x-shopify-access-token", "")
    token = sandbox.tokens.get(value)
    if token is None or token.shop != shop.domain or not shop.installed:
        return None
    if token.expires_at is not None and token.expires_at < now():
        return None
    token.used = True
    return token


def _add_shopify_routes(app: FastAPI, sandbox: Sandbox) -> None:
    """Mount the per-shop Shopify routes (GraphQL, OAuth) on `app`; called by create_app."""

    @app.post("/store/{shop}/admin/api/{version}/graphql.json", include_in_schema=False)
    async def graphql(shop: str, version: str, request: Request) -> Response:
        """POST /store/{shop}/admin/api/{version}/graphql.json: authenticate, then run_graphql."""
        store = sandbox.shop(shop)
        if store is None or version != API_VERSION:
            return _not_found()
        token = _authenticate(sandbox, store, request)
        if token is None:
            return JSONResponse({"errors": INVALID_TOKEN}, status_code=401)
        raw = await request.body()
        try:
            # Content-Type application/graphql sends the bare document (Shopify accepts it).
            body = {"query": raw.decode()} if request.headers.get(
                "content-type", "").startswith("application/graphql") else json.loads(raw)
        except ValueError:
            return JSONResponse({"errors": "Invalid JSON in request body"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"errors": "Invalid request body"}, status_code=400)
        base = str(request.base_url).rstrip("/")
        sandbox.base_url = sandbox.base_url or base
        result = run_graphql(sandbox, store, body, base, token)
        return JSONResponse(result, headers={"X-Request-Id": str(uuid.uuid4()),
                                             "X-Shopify-API-Version": API_VERSION})

    @app.get("/store/{shop}/admin/oauth/authorize", include_in_schema=False)
    async def authorize(shop: str, request: Request) -> Response:
        """GET /store/{shop}/admin/oauth/authorize: the merchant approves at once; 302 back."""
        shop = shop.lower()
        if not SHOP_RE.match(shop):
            return _not_found()
        sandbox.add_shop(shop)
        try:
            url = oauth.authorize_redirect(sandbox, shop, dict(request.query_params))
        except oauth.OAuthError as exc:
            return JSONResponse({"error": exc.code, "error_description": exc.description},
                                status_code=400)
        return RedirectResponse(url, status_code=302)

    @app.post("/store/{shop}/admin/oauth/access_token", include_in_schema=False)
    async def access_token(shop: str, request: Request) -> Response:
        """POST /store/{shop}/admin/oauth/access_token: the three grants (oauth.access_token)."""
        shop = shop.lower()
        if not SHOP_RE.match(shop):
            return _not_found()
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(await request.body() or b"{}")
        else:
            body = dict(await request.form())
        try:
            return JSONResponse(oauth.access_token(sandbox, shop, body))
        except oauth.OAuthError as exc:
            return JSONResponse({"error": exc.code, "error_description": exc.description},
                                status_code=400)


def _add_bulk_route(app: FastAPI, sandbox: Sandbox) -> None:
    """Mount the bulk result-file route; called by create_app."""

    @app.get("/_sandbox/bulk/{name}", include_in_schema=False)
    async def bulk_file(name: str, token: str = "") -> Response:
        """GET a bulk result (signed URL from BulkOperation.url): the JSONL file written
        when the operation completed."""
        stem = name.removesuffix(".jsonl")
        domain = sandbox.bulk_index.get(int(stem)) if stem.isdigit() else None
        shop = sandbox.shop(domain) if domain else None
        op = shop.bulk_ops.get(int(stem)) if shop else None
        if shop is None or op is None or token != op.token or file_url(op) is None \
                or op.file_path is None:
            return Response("<Error><Code>AccessDenied</Code></Error>", status_code=403,
                            media_type="application/xml")
        return FileResponse(op.file_path, media_type="application/jsonl")


def create_app(api_key: str, api_secret: str, **options: Any) -> Any:
    """The sandbox ASGI app. Options: bulk_delay_s, webhook_max_attempts, webhook_time_scale,
    webhook_concurrency, access_token_ttl_s, first_id. The schema is built here (once per
    process). The returned app has `.sandbox` (the state) for in-process inspection."""
    get_schema()
    sandbox = Sandbox(api_key, api_secret, **options)
    sandbox.dispatcher = Dispatcher(
        sandbox, max_attempts=int(options.get("webhook_max_attempts", DEFAULT_MAX_ATTEMPTS)),
        time_scale=float(options.get("webhook_time_scale", DEFAULT_TIME_SCALE)),
        concurrency=int(options.get("webhook_concurrency", DEFAULT_CONCURRENCY)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Close the webhook dispatcher when the server stops."""
        yield
        await sandbox.dispatcher.close()

    app = FastAPI(title="Shopify sandbox (EcomSend)", lifespan=lifespan,
                  description="Admin API simulator; control API under /_sandbox (CONTROL.md).")
    app.state.sandbox = sandbox
    _add_shopify_routes(app, sandbox)
    _add_bulk_route(app, sandbox)
    app.include_router(control_router)
    app.include_router(edits_router)
    app.include_router(markets_router)
    return FaultMiddleware(app, sandbox)

