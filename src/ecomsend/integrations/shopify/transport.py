"""The hardened Admin GraphQL transport: cost-aware limiting, retries, typed errors.

`ShopifyClient` sends every operation through `GraphQLTransport.execute(name, variables)`:
1. acquire the document's estimated cost from the shared `RateLimiter` (waits, never fails);
2. POST it; `settle` the reservation with what `extensions.cost` says Shopify charged, capped
   by its `throttleStatus` (reference §5);
3. THROTTLED / 429 → wait as told and retry; 5xx, timeouts, resets → exponential backoff with
   jitter, bounded; anything else → a typed error from `errors.py`.
The first request of a transport goes alone, so the real bucket size is learned before a burst.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ecomsend.integrations.shopify.buckets import BucketBook
from ecomsend.integrations.shopify.cost import (
    ThrottleStatus,
    charged_cost,
    cost_key,
    estimate_cost,
    parse_throttle,
)
from ecomsend.integrations.shopify.errors import (
    RateLimited,
    ShopifyError,
    TokenRejected,
    Transient,
)
from ecomsend.integrations.shopify.queries import load_query
from ecomsend.integrations.shopify.responses import check_http_status, graphql_data
from ecomsend.ratelimit import BucketSpec, RateLimiter

#: Sent on every request so Shopify support can identify the app (reference §2).
USER_AGENT = "EcomSend Feed/0.1 (+https://github.com/ecomsend/feed)"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the transport tries before raising (who: `ShopifyClient`, tests tune it)."""

    #: Attempts for transient failures (5xx, timeout, reset): 0.2**6 ≈ 6e-5 at a 20% fault rate.
    max_attempts: int = 6
    base_delay_s: float = 0.2
    max_delay_s: float = 10.0
    #: Rate-limit waits before RateLimited escapes; the limiter should make these rare.
    max_rate_limit_waits: int = 50

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter" for the attempt-th retry (1-based)."""
        delay = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return delay / 2 + rng.uniform(0, delay / 2)


class AccessTokenSource(Protocol):
    """Where the transport gets the shop's access token (static or expiring + refresh)."""

    async def get(self) -> str:
        """The token to send now (may refresh first if it is about to expire)."""
        ...

    async def refresh(self, rejected: str) -> bool:
        """Called after a 401 with `rejected`; True if a new token is now available."""
        ...


class StaticToken:
    """A non-expiring offline token (custom apps, legacy installs, sandbox seeds)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get(self) -> str:
        return self._token

    async def refresh(self, rejected: str) -> bool:
        return False


class GraphQLTransport:
    """POSTs GraphQL documents for one shop; one per (shop, token), shared by its callers."""

    def __init__(
        self,
        *,
        endpoint: str,
        shop: str,
        token: AccessTokenSource,
        http: httpx.AsyncClient,
        limiter: RateLimiter,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        buckets: BucketBook | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.shop = shop
        self._token = token
        self._http = http
        self._limiter = limiter
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        #: One bucket per (app, store) — reference §5.
        self.limiter_key = f"shopify:{shop}:graphql"
        self._book = (buckets or BucketBook()).for_shop(shop)
        self.last_throttle: ThrottleStatus | None = None

    @property
    def bucket(self) -> BucketSpec:
        """The shop's bucket as last reported by Shopify (Standard plan until then)."""
        return self._book.spec

    async def execute(
        self, name: str, variables: Mapping[str, Any] | None = None, *, retry_ambiguous: bool = True
    ) -> dict[str, Any]:
        """Run operation `name` (a file in `queries/`) and return its `data`.

        `retry_ambiguous=False` for non-idempotent mutations: a failure after the request was
        sent raises `Transient(ambiguous=True)` instead of retrying blindly.
        """
        document = load_query(name)
        body = {"query": document, "variables": dict(variables or {}), "operationName": name}
        transient_failures = rate_waits = 0
        refreshed = False
        while True:
            try:
                return await self._attempt(name, document, body)
            except RateLimited as exc:
                rate_waits += 1
                if rate_waits > self._retry.max_rate_limit_waits:
                    raise
                await asyncio.sleep(exc.retry_after)
            except Transient as exc:
                transient_failures += 1
                if transient_failures >= self._retry.max_attempts or (
                    exc.ambiguous and not retry_ambiguous
                ):
                    raise
                await asyncio.sleep(self._retry.backoff(transient_failures, self._rng))
            except TokenRejected as exc:
                if refreshed or not await self._token.refresh(exc.token or ""):
                    raise
                refreshed = True

    async def _attempt(self, name: str, document: str, body: dict[str, Any]) -> dict[str, Any]:
        """One limited, observed request; raises the typed error of a failed answer."""
        book = self._book
        if not book.calibrated.is_set():
            async with book.calibrating:
                if not book.calibrated.is_set():
                    return await self._send(name, document, body)
        return await self._send(name, document, body)

    async def _send(self, name: str, document: str, body: dict[str, Any]) -> dict[str, Any]:
        book = self._book
        # Read the cost only now: a caller that waited for calibration uses what it learned.
        key = cost_key(name, body["variables"])
        cost = book.costs.get(key) or estimate_cost(document, body["variables"])
        book.queued += cost
        try:
            await self._limiter.acquire(self.limiter_key, book.spec, cost)
        finally:
            book.queued -= cost
        # From here on the reservation stays spent unless an answer says what was charged:
        # a request lost in transit may have been charged (conservative).
        response, token = await self._post(body)
        request_id = response.headers.get("x-request-id")
        payload = _json_or_text(response)
        try:
            check_http_status(response.status_code, response.headers, payload, request_id)
        except TokenRejected as exc:
            exc.token = token  # so only the token actually refused gets refreshed
            raise
        book.calibrated.set()
        throttle = parse_throttle(payload) if isinstance(payload, dict) else None
        if throttle is not None:
            await self._observe(key, cost, throttle, payload)
        return graphql_data(payload, throttle, cost, request_id)

    async def _post(self, body: dict[str, Any]) -> tuple[httpx.Response, str]:
        """The HTTP exchange (and the token it carried); network failures become Transient,
        ambiguous once the request may have been sent."""
        token = await self._token.get()
        headers = {
            "X-Shopify-Access-Token": token,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        try:
            return await self._http.post(self.endpoint, json=body, headers=headers), token
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Transient(f"connect failed: {exc!r}") from exc
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise Transient(f"request failed after sending: {exc!r}", ambiguous=True) from exc

    async def _observe(self, key: str, reserved: float, throttle: ThrottleStatus,
                       payload: Mapping[str, Any]) -> None:
        """Settle this request's reservation with what Shopify charged, and learn the bucket
        from Shopify's own numbers (reference §5).

        Shopify reserves `requestedQueryCost` and refunds down to `actualQueryCost`; a
        THROTTLED answer (no `data`, no actual cost) charges nothing. So the local bucket gets
        back `reserved - charged`. `currentlyAvailable`, less the reservations of this
        process's callers not yet sent, only caps it: the reading may predate charges of
        requests answered before it (out of order), and requests it has charged but we have
        not seen answered are already spent locally, so it is an upper bound, not the truth.
        """
        self.last_throttle = throttle
        book = self._book
        if throttle.requested_cost:
            book.costs[key] = throttle.requested_cost
        if throttle.maximum_available > 0 and throttle.restore_rate > 0:
            book.spec = BucketSpec(throttle.maximum_available, throttle.restore_rate)
        await self._limiter.settle(self.limiter_key, book.spec,
                                   reserved - charged_cost(throttle, payload, reserved),
                                   throttle.currently_available - book.queued)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


__all__ = ["AccessTokenSource", "GraphQLTransport", "RetryPolicy", "ShopifyError", "StaticToken"]
