"""The hardened client core: sign, rate-limit, send, classify, retry (one place for all calls).

Every per-endpoint method (`products.py`, `orders.py`, …) goes through `TikTokTransport.call`.
Per attempt: refresh the token if close to expiry → wait for the per-API bucket → stamp the
timestamp and sign → send → map the response (`envelope.py`). Then: 105002 → refresh once and
retry; 429 → wait and retry; transient → exponential backoff with jitter; permanent → raise.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ecomsend.integrations.tiktok.auth import TokenKeeper
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.endpoints import Endpoint
from ecomsend.integrations.tiktok.envelope import parse_response
from ecomsend.integrations.tiktok.errors import (
    CODE_GATEWAY_TIMEOUT,
    AuthExpired,
    RateLimited,
    Transient,
)
from ecomsend.integrations.tiktok.in_flight import InFlightGate
from ecomsend.integrations.tiktok.signing import sign_request
from ecomsend.ratelimit import BucketSpec, RateLimiter

#: TikTok allows 50 QPS per API per app+shop (rate-limits guide), which may be enforced as a
#: rolling one-second window: any second then admits at most burst + rate = 1 + 46 = 47 of our
#: sends (a 10-token burst at 47/s let 57 through one second), and still gives 92%. The 3 left
#: are for requests a stall bunches into the same second of arrival (`in_flight.py`).
DEFAULT_BUCKET = BucketSpec(capacity=1, refill_per_s=46)
#: Content type TikTok requires on every non-upload request, GET included (common parameters).
JSON_CONTENT_TYPE = "application/json"
#: A gateway timeout: the request may still have run behind the gateway.
HTTP_GATEWAY_TIMEOUT = 504
#: Network errors raised before the request could reach the server: always safe to resend.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. Delays grow 2× per attempt, capped, with jitter."""

    max_transient_attempts: int = 5
    max_rate_limited_attempts: int = 30
    base_delay_s: float = 0.25
    max_delay_s: float = 8.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Equal-jitter exponential delay for the `attempt`-th retry (1-based)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass(frozen=True)
class ClientConfig:
    """App credentials and hosts (from `Settings`), plus transport tuning."""

    app_key: str
    app_secret: str
    api_base_url: str = "https://open-api.tiktokglobalshop.com"
    auth_base_url: str = "https://auth.tiktok-shops.com"
    bucket: BucketSpec = DEFAULT_BUCKET
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0


@dataclass
class Prepared:
    """One fully built request (what the contract test inspects)."""

    method: str
    url: str
    query: dict[str, str]
    headers: dict[str, str]
    content: bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    form: dict[str, str] | None = None


def drop_none(query: Mapping[str, str | int | None]) -> dict[str, str | int]:
    """Query params without the unset ones (an empty param would still be signed and sent)."""
    return {k: v for k, v in query.items() if v is not None}


def compact_json(body: Mapping[str, Any]) -> bytes:
    """Serialize once, compactly: these exact bytes are signed and sent (reference §2.2)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class TikTokTransport:
    """Owns the httpx client, limiter, retry loop and token keeper for one TikTok app."""

    def __init__(self, config: ClientConfig, limiter: RateLimiter,
                 http: httpx.AsyncClient | None = None, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        self.config = config
        self._limiter = limiter
        self._in_flight = InFlightGate(config.bucket.refill_per_s)
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(
            config.timeout_s, connect=config.connect_timeout_s))
        self._clock = clock
        self._rng = rng or random.Random()
        self.tokens: TokenKeeper | None = None
        #: Count of 429 answers seen (for benchmarks and metrics).
        self.rate_limited_seen = 0

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    def bucket_key(self, endpoint: Endpoint, shop: ShopContext) -> str:
        """TikTok counts per API per app+shop: the limiter key is exactly that triple."""
        return f"tiktok:{self.config.app_key}:{shop.limiter_identity}:{endpoint.api}"

    def prepare(self, endpoint: Endpoint, shop: ShopContext, path: str,
                query: Mapping[str, str | int] | None = None,
                body: Mapping[str, Any] | None = None,
                files: dict[str, tuple[str, bytes, str]] | None = None,
                form: dict[str, str] | None = None) -> Prepared:
        """Build and sign one attempt (fresh timestamp each time)."""
        q: dict[str, str] = {k: str(v) for k, v in (query or {}).items() if v is not None}
        q["app_key"] = self.config.app_key
        q["timestamp"] = str(int(self._clock()))
        if endpoint.shop_scoped:
            if not shop.cipher:
                raise ValueError(f"{endpoint.api} needs a shop_cipher in the ShopContext")
            q["shop_cipher"] = shop.cipher
        headers = {"x-tts-access-token": shop.tokens.access_token}
        content = compact_json(body) if body is not None else None
        if endpoint.multipart:
            q["sign"] = sign_request(self.config.app_secret, path, q, b"", "multipart/form-data")
        else:
            headers["content-type"] = JSON_CONTENT_TYPE
            q["sign"] = sign_request(self.config.app_secret, path, q, content or b"")
        return Prepared(endpoint.method, self.config.api_base_url.rstrip("/") + path, q,
                        headers, content, files, form)

    async def _send(self, p: Prepared, api: str) -> dict[str, Any]:
        try:
            resp = await self._http.request(p.method, p.url, params=p.query, headers=p.headers,
                                            content=p.content, files=p.files, data=p.form)
        except _NOT_SENT_ERRORS as exc:
            raise _NotSent(f"{type(exc).__name__}: {exc}", api=api) from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc or 'no detail'}", api=api) from exc
        return parse_response(resp.status_code, resp.headers, resp.content, api)

    async def call(self, endpoint: Endpoint, shop: ShopContext, *,
                   path_params: Mapping[str, str] | None = None,
                   query: Mapping[str, str | int] | None = None,
                   body: Mapping[str, Any] | None = None,
                   files: dict[str, tuple[str, bytes, str]] | None = None,
                   form: dict[str, str] | None = None) -> dict[str, Any]:
        """Call one signed API for `shop` and return its `data`, retrying what may be retried."""
        path = endpoint.render(**(path_params or {}))
        refreshed = False
        transient = limited = 0
        while True:
            if self.tokens is not None:
                await self.tokens.ensure_fresh(shop)
            key = self.bucket_key(endpoint, shop)
            used_token = shop.tokens.access_token
            try:
                async with self._in_flight.slot(key) as sent:
                    await self._limiter.acquire(key, self.config.bucket)
                    prepared = self.prepare(endpoint, shop, path, query, body, files, form)
                    sent()
                    return await self._send(prepared, endpoint.api)
            except AuthExpired:
                if refreshed or self.tokens is None:
                    raise
                refreshed = True
                await self.tokens.refresh(shop, stale_access_token=used_token)
            except RateLimited as exc:
                limited += 1
                self.rate_limited_seen += 1
                if limited >= self.config.retry.max_rate_limited_attempts:
                    raise
                await asyncio.sleep(exc.retry_after * (1 + self._rng.random()))
            except Transient as exc:
                transient += 1
                if transient >= self.config.retry.max_transient_attempts or not (
                        endpoint.idempotent or _safe_to_resend(exc)):
                    raise
                await asyncio.sleep(self.config.retry.backoff(transient, self._rng))

    async def call_auth(self, endpoint: Endpoint, query: Mapping[str, str]) -> dict[str, Any]:
        """Unsigned GET on the auth host (token get/refresh), with transient retries only."""
        url = self.config.auth_base_url.rstrip("/") + endpoint.path
        attempt = 0
        while True:
            try:
                p = Prepared("GET", url, dict(query), {"content-type": JSON_CONTENT_TYPE})
                return await self._send(p, endpoint.api)
            except (Transient, RateLimited) as exc:
                attempt += 1
                if attempt >= self.config.retry.max_transient_attempts:
                    raise
                wait = (exc.retry_after if isinstance(exc, RateLimited)
                        else self.config.retry.backoff(attempt, self._rng))
                await asyncio.sleep(wait)


class _NotSent(Transient):
    """The connection failed before the request left: resending cannot duplicate anything."""


def _safe_to_resend(exc: Transient) -> bool:
    """A non-idempotent call is resent only if it surely did not execute: not sent at all, or
    the server refused it with a 5xx (503 = overload, not processed: rate-limits guide). A 504 /
    36009007 "request timed out" may have run, so it is not resent."""
    if isinstance(exc, _NotSent):
        return True
    return exc.http_status is not None and exc.http_status != HTTP_GATEWAY_TIMEOUT and (
        exc.code != CODE_GATEWAY_TIMEOUT)
