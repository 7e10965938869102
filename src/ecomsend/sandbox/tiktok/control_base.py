"""Helpers shared by the control API modules."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.state import Shop

Endpoint = Callable[[Request], Awaitable[Response]]


class NotFound(Exception):
    """→ HTTP 404."""


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON object body ({} when empty)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a JSON object is expected")
    return data


def endpoint(fn: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    """Wrap a handler: JSON out, ValueError → 400, NotFound → 404."""

    async def wrapped(request: Request) -> Response:
        try:
            result = await fn(request)
        except NotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except (ValueError, TypeError, KeyError, ApiError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return result if isinstance(result, Response) else JSONResponse(result)

    return wrapped


def get_shop(sb: Sandbox, request: Request) -> Shop:
    """The shop named in the path."""
    shop = sb.store.shops.get(request.path_params["shop_id"])
    if shop is None:
        raise NotFound(f"unknown shop {request.path_params['shop_id']}")
    return shop



Handler = Callable[[Sandbox, Request], Awaitable[Any]]


def bind_routes(sb: Sandbox, table: Sequence[tuple[str, str, Handler]]) -> list[Route]:
    """Starlette routes for a `(method, path, handler(sb, request))` table."""

    def bind(fn: Handler) -> Endpoint:
        async def call(request: Request) -> Any:
            return await fn(sb, request)

        return endpoint(call)

    return [Route(path, bind(fn), methods=[method]) for method, path, fn in table]
