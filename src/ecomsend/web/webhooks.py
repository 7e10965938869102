"""`/webhooks/shopify` and `/webhooks/tiktok`: verify (constant time), then the idempotent inbox.

A forged delivery gets 401 and writes nothing. A verified one is recorded in a transaction
shared with the deliveries arriving meanwhile (`sync.inbox_batch`) and answered 200 with an
empty body only after that transaction committed, well inside Shopify's 5 s / TikTok's 3 s.
Coming slowly, a delivery is also handled in that transaction; in a flood it is recorded with
its body and handled right after the answer (`sync.inbox_process`, started by `start_inbox`).

The routes read the app's Database, queue and settings from `app.state` themselves: FastAPI
runs a plain-`def` dependency in its thread pool, and four of them per delivery were four
thread hops on every webhook of a flood.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response

from ecomsend.config import Settings
from ecomsend.integrations.shopify.errors import InvalidSignature
from ecomsend.integrations.shopify.errors import Permanent as ShopifyPermanent
from ecomsend.integrations.shopify.oauth import normalize_shop_domain
from ecomsend.integrations.shopify.webhooks import WebhookDelivery, parse_payload, read_delivery
from ecomsend.integrations.tiktok.webhooks import WebhookError, parse_webhook, verify_webhook
from ecomsend.sync.inbox import InboundWebhook, Platform
from ecomsend.sync.inbox_batch import InboxBatcher
from ecomsend.sync.inbox_process import InboxProcessor

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])


#: Largest delivery body read. Shopify's biggest payloads (a product with 2,048 variants, an
#: order with hundreds of lines) stay well under 2 MB; TikTok's events are a few KB. Anything
#: larger is refused before it is read whole, signed or not.
MAX_WEBHOOK_BYTES = 4 * 1024 * 1024


class BodyTooLarge(Exception):
    """The delivery's body is (or announces itself as) over MAX_WEBHOOK_BYTES."""


#: The 413 answer's detail.
TOO_LARGE_DETAIL = f"Webhook bodies are limited to {MAX_WEBHOOK_BYTES} bytes."


async def capped_body(headers: Mapping[str, str], receive_: Any) -> bytes:
    """The body from the ASGI `receive_` callable, refused with BodyTooLarge past
    MAX_WEBHOOK_BYTES before it is read whole (at once when Content-Length announces more).
    Called by the routes and by `web.webhook_ingress`."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive_()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _route_body(request: Request) -> bytes:
    """The body for a route (413 when too large)."""
    try:
        return await capped_body(request.headers, request.receive)
    except BodyTooLarge:
        raise HTTPException(413, TOO_LARGE_DETAIL) from None


def _shopify_payload(topic: str, raw: bytes) -> tuple[Any, str | None]:
    """(typed payload, None), (None, None) for a topic we do not model (recorded, ignored), or
    (None, why) for a signed body that does not fit its topic: acknowledged with 200 — a retry
    would not fix it and Shopify drops subscriptions that keep failing — and never handled."""
    try:
        return parse_payload(topic, raw), None
    except ShopifyPermanent:
        return None, None
    except (ValueError, RecursionError) as exc:  # pydantic's ValidationError is a ValueError
        log.warning("webhook.malformed", platform="shopify", topic=topic[:128],
                    error=str(exc)[:300])
        return None, f"body does not match the topic {topic[:128]!r}; not handled"


def _body_shop(payload: Any) -> str | None:
    """The shop the signed body names, where the topic's payload names one (compliance topics:
    `shop_domain`; app/uninstalled: the shop object's `myshopify_domain`)."""
    named = getattr(payload, "shop_domain", None) or getattr(payload, "myshopify_domain", None)
    return named if isinstance(named, str) else None


def _shopify_webhook(delivery: WebhookDelivery, raw: bytes) -> InboundWebhook:
    """The inbox entry of a verified delivery: headers are not signed, so the body's shop wins
    over X-Shopify-Shop-Domain and a body that does not fit the topic header is not handled."""
    payload, rejected = _shopify_payload(delivery.topic, raw)
    shop = delivery.shop_domain
    named = _body_shop(payload)
    if named is not None:
        try:
            shop = normalize_shop_domain(named)
        except ShopifyPermanent:
            payload, rejected = None, "the body names no valid shop domain; not handled"
        if shop != delivery.shop_domain:
            log.warning("webhook.shop_mismatch", platform="shopify", topic=delivery.topic,
                        header_shop=delivery.shop_domain, body_shop=shop)
    return InboundWebhook(Platform.SHOPIFY, delivery.webhook_id, delivery.topic, shop, payload,
                          body_sha256=hashlib.sha256(raw).hexdigest(), rejected=rejected)


def _tiktok_webhook(raw: bytes) -> InboundWebhook:
    """The inbox entry of a verified TikTok event; WebhookError if it is not one."""
    event = parse_webhook(raw)
    digest = hashlib.sha256(raw).hexdigest()
    # Without a notification id the body itself is the key: two events in one second differ.
    delivery_id = str(event.tts_notification_id or f"sha256:{digest}")
    return InboundWebhook(Platform.TIKTOK, delivery_id, str(event.type), str(event.shop_id),
                          event, body_sha256=digest)


def decode_stored(platform: Platform, delivery_id: str, topic: str, shop_key: str,
                  body_sha256: str | None, body: bytes) -> InboundWebhook:
    """The webhook of a receipt recorded with its body and not yet processed, read again from
    what was stored (the signature was checked when it came). `sync.inbox_process`'s sweep
    calls it for receipts whose process stopped before applying them."""
    if platform is Platform.TIKTOK:
        return _tiktok_webhook(body)
    delivery = WebhookDelivery(topic=topic, shop_domain=shop_key, webhook_id=delivery_id,
                               api_version=None, event_id=None, triggered_at=None, name=None)
    return _shopify_webhook(delivery, body)


@router.post("/shopify", status_code=200, summary="Shopify webhook deliveries (all topics)")
@router.post("/shopify/compliance", status_code=200, include_in_schema=False)
async def shopify_webhook(request: Request) -> Response:
    """Verify X-Shopify-Hmac-Sha256 over the raw body (401 if forged), then ingest once per
    X-Shopify-Webhook-Id (reference §4.1). (Served by `web.webhook_ingress` in the app; the
    route documents it and serves an app built without that middleware.)"""
    raw = await _route_body(request)
    return Response(status_code=await receive(request.app, Platform.SHOPIFY, request.headers,
                                              raw))


@router.post("/tiktok", status_code=200, summary="TikTok Shop webhook deliveries (all types)")
async def tiktok_webhook(request: Request) -> Response:
    """Verify Authorization = HMAC(app_secret, app_key + body) (401 if forged), then ingest
    once per tts_notification_id (reference §5.2). (Served like `shopify_webhook`.)"""
    raw = await _route_body(request)
    return Response(status_code=await receive(request.app, Platform.TIKTOK, request.headers,
                                              raw))


async def receive(app: Any, platform: Platform, headers: Mapping[str, str],
                  raw: bytes) -> int:
    """The answer's status to a delivery of `platform` with these headers and body (read
    whole, under MAX_WEBHOOK_BYTES): 401 forged, 400 unreadable (TikTok), 200 once recorded.
    Called by the routes and by `web.webhook_ingress.WebhookIngress`."""
    settings: Settings = app.state.settings
    if platform is Platform.SHOPIFY:
        try:
            delivery = read_delivery(headers, raw,
                                     settings.shopify_api_secret.get_secret_value())
        except InvalidSignature:
            log.warning("webhook.rejected", platform="shopify")
            return 401
        webhook = _shopify_webhook(delivery, raw)
    else:
        if not verify_webhook(settings.tiktok_app_key,
                              settings.tiktok_app_secret.get_secret_value(), raw,
                              headers.get("authorization")):
            log.warning("webhook.rejected", platform="tiktok")
            return 401
        try:
            webhook = _tiktok_webhook(raw)
        except WebhookError as exc:
            log.error("webhook.unparseable", platform="tiktok", error=str(exc))
            return 400
    outcome = await _batcher(app).ingest(webhook, raw)
    log.info("webhook.ingested", platform=webhook.platform.value, topic=webhook.topic,
             outcome=outcome.value)
    return 200


def start_inbox(app: FastAPI, stop: asyncio.Event) -> asyncio.Task[None]:
    """Make the app's batcher and processor on the running loop and start the processor's
    sweep until `stop`; the task to await at shutdown. Called by the app's lifespan."""
    state = app.state
    processor = InboxProcessor(state.db, state.queue, state.webhook_handlers, decode_stored)
    state.inbox_processor = processor
    _batchers(app)[asyncio.get_running_loop()] = InboxBatcher(
        state.db, state.queue, state.webhook_handlers, processor)
    return asyncio.create_task(processor.run(stop))


def _batchers(app: Any) -> weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, InboxBatcher]:
    batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, InboxBatcher] | None = \
        getattr(app.state, "inbox_batchers", None)
    if batchers is None:
        batchers = app.state.inbox_batchers = weakref.WeakKeyDictionary()
    return batchers


def _batcher(app: Any) -> InboxBatcher:
    """This app's group-commit batcher on the running loop (`start_inbox`'s; on a loop without
    one, made here without a processor: every delivery processed before its answer)."""
    batchers = _batchers(app)
    loop = asyncio.get_running_loop()
    batcher = batchers.get(loop)
    if batcher is None:
        state = app.state
        batcher = batchers[loop] = InboxBatcher(state.db, state.queue,
                                                state.webhook_handlers)
    return batcher
