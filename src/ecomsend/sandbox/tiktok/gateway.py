"""The signed API host: routing, the documented request checks, rate limit, faults, envelope.

Check order follows reference §9: path/method → app_key → sign present → timestamp window →
sign value → access token → shop_cipher required/forbidden → scope (105005) → rate limit →
business logic.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ecomsend.sandbox.tiktok import errors as E
from ecomsend.sandbox.tiktok import scopes
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.faults import FaultSpec, decide
from ecomsend.sandbox.tiktok.signing import is_multipart, request_sign, sign_matches
from ecomsend.sandbox.tiktok.state import Shop, Token, now

#: Accepted clock skew: [now − 5 min, now + 30 s] (reference §2.2, DOC common-errors).
TIMESTAMP_PAST_S = 300
TIMESTAMP_FUTURE_S = 30
#: Request log cap (oldest dropped first).
MAX_LOG = 200_000
#: Request bodies up to this size are kept in the log (`body`), so a benchmark can tell which
#: change a push carried (product bodies are not kept).
LOGGED_BODY_MAX = 1024
#: Inventory and price updates list every SKU (~80 bytes each): kept up to this size, so a
#: product with many variants is timed too (bounded: MAX_LOG entries).
LOGGED_UPDATE_BODY_MAX = 16 * 1024
_UPDATE_SUFFIXES = ("/inventory/update", "/prices/update")

Handler = Callable[["Ctx"], Awaitable[Any]]


def _logged_body_max(path: str) -> int:
    """How much of a request body the request log keeps for this path."""
    return LOGGED_UPDATE_BODY_MAX if path.endswith(_UPDATE_SUFFIXES) else LOGGED_BODY_MAX


@dataclass
class Route:
    """One API endpoint; `cipher` is "required" or "forbidden" (reference §1.5)."""

    method: str
    template: str
    handler: Handler
    cipher: str = "required"
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        self.regex = re.compile(f"^{pattern}$")

    @property
    def api(self) -> str:
        """The per-API key used by the rate limit and the request log."""
        return f"{self.method} {self.template}"


@dataclass
class Ctx:
    """What a handler gets."""

    sb: Sandbox
    request: Request
    query: dict[str, str]
    body: bytes
    params: dict[str, str]
    token: Token
    shop_or_none: Shop | None

    @property
    def shop(self) -> Shop:
        """The shop named by shop_cipher (only on cipher-required routes)."""
        assert self.shop_or_none is not None
        return self.shop_or_none

    def json(self) -> dict[str, Any]:
        """The JSON body as an object ({} when empty)."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise ApiError(E.GATEWAY_PARAM, f"Invalid request body: not valid JSON ({exc}).",
                           400) from exc
        if not isinstance(data, dict):
            raise ApiError(E.GATEWAY_PARAM, "Invalid request body: a JSON object is expected.",
                           400)
        return data

    def page_size(self, maximum: int, code: int, required: bool = True, default: int = 20
                  ) -> int:
        """The `page_size` query param, checked against 1..maximum."""
        raw = self.query.get("page_size")
        if raw is None:
            if required:
                raise ApiError(code, "Invalid page_size. The `page_size` query parameter is "
                               "required.")
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            raise ApiError(code, f"Invalid page_size. Valid range: [1, {maximum}].")
        return int(raw)


class Gateway:
    """ASGI app for the signed API paths."""

    def __init__(self, sb: Sandbox, routes: list[Route]) -> None:
        self.sb = sb
        self.routes = routes

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a request, or the documented path/method errors."""
        path_matched = False
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            path_matched = True
            if route.method == method:
                return route, m.groupdict()
        if path_matched:
            raise ApiError(E.INVALID_METHOD, E.MSG_INVALID_METHOD, 405)
        raise ApiError(E.INVALID_PATH, E.MSG_INVALID_PATH, 404)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = E.new_request_id()
        body = await request.body()
        query = dict(request.query_params)
        shop = self.sb.store.by_cipher.get(query.get("shop_cipher", ""))
        entry: dict[str, Any] = {"at": time.time(), "method": request.method,
                                 "path": scope["path"], "api": f"{request.method} {scope['path']}",
                                 "shop_id": shop.id if shop else None, "http_status": 0,
                                 "code": None, "request_id": request_id,
                                 "body": body.decode("utf-8", "replace")
                                 if len(body) <= _logged_body_max(scope["path"]) else None}
        self._log(entry)
        if await apply_faults(self.sb, scope, send, shop, entry, request_id):
            return
        response = await self._handle(request, body, query, shop, entry, request_id)
        entry["http_status"] = response.status_code
        await response(scope, receive, send)

    def _log(self, entry: dict[str, Any]) -> None:
        """Append to the request log (bounded)."""
        log = self.sb.store.request_log
        log.append(entry)
        if len(log) > MAX_LOG:
            del log[: len(log) - MAX_LOG]

    async def _handle(self, request: Request, body: bytes, query: dict[str, str],
                      shop: Shop | None, entry: dict[str, Any], request_id: str) -> Response:
        """Checks, rate limit and handler; always returns the envelope response."""
        try:
            route, params = self.match(request.method, request.url.path)
            entry["api"] = route.api
            token, shop = self.check(route, request, body, query)
            limiter_key = (self.sb.app_key, shop.id if shop else f"token:{token.open_id}",
                           route.api)
            if not self.sb.limiter.allow(limiter_key):
                raise ApiError(E.RATE_LIMITED, E.MSG_RATE_LIMITED, 429)
            ctx = Ctx(self.sb, request, query, body, params, token, shop)
            data = await route.handler(ctx)
        except ApiError as err:
            entry["code"] = err.code
            return E.error_response(err, request_id)
        entry["code"] = 0
        return E.api_response(0, E.SUCCESS, {} if data is None else data, request_id)

    def check(self, route: Route, request: Request, body: bytes, query: dict[str, str]
              ) -> tuple[Token, Shop | None]:
        """The documented gateway checks; returns the token and the shop."""
        if query.get("app_key") != self.sb.app_key:
            raise ApiError(E.GATEWAY_PARAM, E.MSG_BAD_APP_KEY, 400)
        if not query.get("sign"):
            raise ApiError(E.GATEWAY_PARAM, E.MSG_MISSING_SIGN, 401)
        check_timestamp(query.get("timestamp", ""))
        content_type = request.headers.get("content-type")
        expected = request_sign(self.sb.app_secret, request.url.path, query, body, content_type)
        if not sign_matches(expected, query["sign"]):
            raise ApiError(E.INVALID_SIGN, E.MSG_BAD_SIGN, 401)
        if body and not _json_or_multipart(content_type):
            raise ApiError(E.BAD_CONTENT_TYPE, "Invalid request format. The request body format "
                           "must be `application/json` for structured data or "
                           "`multipart/form-data` for binary files.", 400)
        token = self.check_token(request.headers.get("x-tts-access-token", ""))
        shop = self.check_cipher(route, query, token)
        if not scopes.allowed(route.api, token.scopes):
            # 105005 after the shop_cipher check (reference §9). Its HTTP status is not
            # documented; 403 is the sandbox's reading of "Access denied".
            raise ApiError(E.ACCESS_DENIED, scopes.MSG_ACCESS_DENIED, 403)
        return token, shop

    def check_token(self, value: str) -> Token:
        """`x-tts-access-token`: unknown → 36009004, expired → 105002 (reference §3.2)."""
        token = self.sb.store.tokens.get(value.strip())
        if token is None:
            raise ApiError(E.GATEWAY_PARAM, E.MSG_BAD_TOKEN, 401)
        if token.access_expire <= now():
            raise ApiError(E.EXPIRED_TOKEN, E.MSG_EXPIRED, 401)
        return token

    def check_cipher(self, route: Route, query: dict[str, str], token: Token) -> Shop | None:
        """shop_cipher: required (106013) or refused (36009004) per endpoint (reference §1.5)."""
        cipher = query.get("shop_cipher")
        if route.cipher == "forbidden":
            if cipher is not None:
                raise ApiError(E.GATEWAY_PARAM, E.MSG_UNEXPECTED_CIPHER, 400)
            return None
        if not cipher:
            raise ApiError(E.MISSING_CIPHER, E.MSG_MISSING_CIPHER, 400)
        shop = self.sb.store.by_cipher.get(cipher)
        if shop is None:
            raise ApiError(E.GATEWAY_PARAM, E.MSG_INVALID_CIPHER, 400)
        if shop.id not in token.shop_ids:
            # 101000: the token is not tied to the shop_cipher's shop (reference §3.2).
            raise ApiError(E.INVALID_TOKEN_FOR_SHOP, "Invalid query or header. The "
                           "`x-tts-access-token` header is invalid for this shop_cipher.", 401)
        return shop


def _json_or_multipart(content_type: str | None) -> bool:
    """Whether a content-type is JSON or multipart/form-data."""
    if is_multipart(content_type):
        return True
    return bool(content_type) and "json" in (content_type or "").split(";")[0].lower()


def check_timestamp(raw: str) -> None:
    """Unix seconds within [now − 300 s, now + 30 s]; else the documented 36009004 variants."""
    try:
        ts = int(raw)
    except ValueError:
        raise ApiError(E.GATEWAY_PARAM, E.MSG_TS_NEGATIVE, 400) from None
    if ts < 0:
        raise ApiError(E.GATEWAY_PARAM, E.MSG_TS_NEGATIVE, 400)
    current = time.time()
    if ts < current - TIMESTAMP_PAST_S:
        raise ApiError(E.GATEWAY_PARAM, E.MSG_TS_OLD, 400)
    if ts > current + TIMESTAMP_FUTURE_S:
        raise ApiError(E.GATEWAY_PARAM, E.MSG_TS_FUTURE, 400)


async def apply_faults(sb: Sandbox, scope: Scope, send: Send, shop: Shop | None,
                       entry: dict[str, Any], request_id: str) -> bool:
    """Inject the configured faults; True when the request was answered (or dropped) here."""
    specs: list[FaultSpec] = [f for f in (sb.store.faults, shop.faults if shop else None) if f]
    if not specs:
        return False
    decision = decide(specs, scope["path"])
    shop_id = shop.id if shop else None
    if decision.latency_s:
        sb.store.count_fault(shop_id, "latency")
        await asyncio.sleep(decision.latency_s)
    if not decision.action:
        return False
    entry["fault"] = decision.action
    sb.store.count_fault(shop_id, decision.action)
    if decision.action == "reset":
        # Headers promise a body that never comes; uvicorn then closes the connection.
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"code":0,', "more_body": True})
        entry["http_status"] = -1
        return True
    if decision.action == "timeout":
        await asyncio.sleep(decision.timeout_s)
        err = ApiError(E.REQUEST_TIMEOUT, E.MSG_TIMEOUT, 504)
    elif decision.action == "rate_limit":
        err = ApiError(E.RATE_LIMITED, E.MSG_RATE_LIMITED, 429)
    else:
        err = ApiError(E.INTERNAL_ERROR, E.MSG_INTERNAL, decision.error_status)
    entry["http_status"], entry["code"] = err.http_status, err.code
    await E.error_response(err, request_id)(scope, lambda: _never(), send)
    return True


async def _never() -> Any:
    """A receive() for responses that never read the request."""
    raise RuntimeError("no body to receive")
