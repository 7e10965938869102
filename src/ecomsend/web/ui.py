"""The admin UI's documents and assets: the Vite build in `web/ui_dist/` (built by the setup
step, never committed), served with a fallback so client routes (`/products/12`) load the app.

Embedded loads from Shopify admin (`embedded=1`, a valid shop and host, an `id_token`) get the
App Bridge script first in `<head>` with `<meta name="shopify-api-key">` and a per-shop
`frame-ancestors` CSP (reference shopify-admin-ui.md §1.1); a shop without an offline token gets
one there by token exchange (`web.embedded`). Every other load gets the standalone document
(no App Bridge: it would redirect a browser outside the admin, §1.5) and `frame-ancestors 'none'`.
"""

from __future__ import annotations

import gzip
import html
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from ecomsend.web.embedded import BOUNCE_PATH, EmbeddedLoad, bounce_page, embedded_load

UI_DIST = Path(__file__).parent / "ui_dist"
#: The only place Shopify serves App Bridge from; it updates itself (reference §1.1).
APP_BRIDGE_SRC = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
#: Where the build's index.html takes the App Bridge tags (first thing after the charset).
MARKER = "<!--ecomsend:app-bridge-->"
#: Paths that are never client routes: a miss there is a real 404, not the app's HTML.
NOT_CLIENT_ROUTES = ("api/", "auth/", "webhooks/", "assets/", "docs", "redoc", "openapi.json",
                     "healthz")
#: Shown when the UI was not built (e.g. Node missing at setup): the API still works.
NOT_BUILT = ("<!doctype html><title>EcomSend Feed</title><p>The admin UI is not built. Run "
             "<code>./scripts/demo.sh</code> (needs Node.js 20+), or use the JSON API at "
             "<a href=/docs>/docs</a>.</p>")


def _index_template() -> str | None:
    """The built index.html, re-read only when the build changed it (a rebuild renames the
    hashed chunks it points to; serving a stale copy would point at deleted files)."""
    path = UI_DIST / "index.html"
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _read_index(path, stamp)


@lru_cache(maxsize=2)
def _read_index(path: Path, stamp: int) -> str:
    return path.read_text()


def app_bridge_head(api_key: str) -> str:
    """The tags Shopify requires first in `<head>` of every embedded document."""
    return (f'<meta name="shopify-api-key" content="{html.escape(api_key, quote=True)}" />'
            f'<script src="{APP_BRIDGE_SRC}"></script>')


def render_document(api_key: str | None) -> str:
    """The app's HTML: with App Bridge when `api_key` is given (embedded), else standalone."""
    template = _index_template()
    if template is None:
        return NOT_BUILT
    return template.replace(MARKER, app_bridge_head(api_key) if api_key else "")


def document_response(load: EmbeddedLoad | None, api_key: str) -> Response:
    """The document for a client route, with the CSP that says who may frame it."""
    if load is None:
        return HTMLResponse(render_document(None), headers={
            "Content-Security-Policy": "frame-ancestors 'none'", "Cache-Control": "no-store"})
    if load.bounce_to is not None:
        return RedirectResponse(load.bounce_to, status_code=302)
    return HTMLResponse(render_document(api_key), headers={
        "Content-Security-Policy":
            f"frame-ancestors https://{load.shop} https://admin.shopify.com;",
        "Cache-Control": "no-store"})


def mount_ui(app: FastAPI) -> None:
    """Serve `/assets/*` (hashed, cached for a year) and the document for every client route.
    Called last by `create_app`, after every API router, so it never shadows one."""
    assets = UI_DIST / "assets"
    if assets.is_dir():
        app.mount("/assets", _ImmutableStatic(directory=assets), name="ui-assets")

    @app.get(BOUNCE_PATH, include_in_schema=False)
    async def session_token_bounce(request: Request) -> Response:
        api_key = request.app.state.settings.shopify_api_key
        return HTMLResponse(bounce_page(api_key), headers={"Cache-Control": "no-store"})

    @app.get("/{path:path}", include_in_schema=False)
    async def client_route(path: str, request: Request) -> Response:
        if path.startswith(NOT_CLIENT_ROUTES):
            return HTMLResponse("Not Found", status_code=404)
        load = await embedded_load(request)
        return document_response(load, request.app.state.settings.shopify_api_key)


class _ImmutableStatic(StaticFiles):
    """Vite names assets by content hash, so a browser may keep them for good. A browser that
    takes gzip gets each asset compressed once per process (GZipMiddleware would compress the
    ~1 MB of JS and CSS again on every cold load: ~80 ms of CPU each time)."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        if response.status_code != 200:
            return response
        cache = "public, max-age=31536000, immutable"
        full, stat = getattr(response, "path", None), getattr(response, "stat_result", None)
        accepts = Headers(scope=scope).get("accept-encoding", "")
        if full is not None and stat is not None and "gzip" in accepts:
            body = await run_in_threadpool(_gzipped, str(full), stat.st_mtime_ns)
            if body is not None:
                return Response(body, media_type=response.media_type, headers={
                    "Content-Encoding": "gzip", "Vary": "Accept-Encoding",
                    "Cache-Control": cache})
        response.headers["Cache-Control"] = cache
        return response


#: Assets smaller than this are not worth compressing (one TCP segment either way).
_GZIP_MIN_BYTES = 1400


@lru_cache(maxsize=64)
def _gzipped(path: str, stamp: int) -> bytes | None:
    """An asset's bytes gzipped (level 9: once per build), or None when too small to gain."""
    raw = Path(path).read_bytes()
    return gzip.compress(raw, compresslevel=9, mtime=0) if len(raw) >= _GZIP_MIN_BYTES else None
