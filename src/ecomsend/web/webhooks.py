"""`/webhooks/shopify` and `/webhooks/tiktok`: verify (constant time), then the idempotent inbox.

A forged delivery gets 401 and writes nothing. A verified one is recorded and handled in one
transaction (shared with deliveries arriving meanwhile: `sync.inbox_batch`) and answered 200
with an empty body only after that transaction committed, well inside Shopify's 5 s /
TikTok's 3 s.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ecomsend.db.session import Database
from ecomsend.integrations.shopify.errors import InvalidSignature
from ecomsend.integrations.shopify.errors import Permanent as ShopifyPermanent
from ecomsend.integrations.shopify.oauth import normalize_shop_domain
from ecomsend.integrations.shopify.webhooks import WebhookDelivery, parse_payload, read_delivery
from ecomsend.integrations.tiktok.webhooks import WebhookError, parse_webhook, verify_webhook
from ecomsend.jobs.port import JobQueue
from ecomsend.sync.inbox import InboundWebhook, Platform, WebhookHandlers
from ecomsend.sync.inbox_batch import InboxBatcher
from ecomsend.web.deps import DbDep, QueueDep, SettingsDep

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])


#: Largest delivery body read. Shopify's biggest payloads (a product with 2,048 variants, an
#: order with hundreds of lines) stay well under 2 MB; TikTok's events are a few KB. Anything
#: larger is refused before it is read whole, signed or not.
MAX_WEBHOOK_BYTES = 4 * 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"Webhook bodies are limited to {MAX_WEBHOOK_BYTES} bytes.")


async def capped_body(request: Request) -> bytes:
    """The request body, read in chunks and refused with 413 past MAX_WEBHOOK_BYTES (also when
    Content-Length announces more, before reading anything)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise BodyTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def get_handlers(request: Request) -> WebhookHandlers:
    handlers: WebhookHandlers = request.app.state.webhook_handlers
    return handlers


HandlersDep = Annotated[WebhookHandlers, Depends(get_handlers)]


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


@router.post("/shopify", status_code=200, summary="Shopify webhook deliveries (all topics)")
@router.post("/shopify/compliance", status_code=200, include_in_schema=False)
async def shopify_webhook(request: Request, db: DbDep, queue: QueueDep,
                          settings: SettingsDep, handlers: HandlersDep) -> Response:
    """Verify X-Shopify-Hmac-Sha256 over the raw body (401 if forged), then ingest once per
    X-Shopify-Webhook-Id (reference §4.1)."""
    raw = await capped_body(request)
    try:
        delivery = read_delivery(request.headers, raw,
                                 settings.shopify_api_secret.get_secret_value())
    except InvalidSignature:
        log.warning("webhook.rejected", platform="shopify")
        return Response(status_code=401)
    return await _ingest(request, db, queue, _shopify_webhook(delivery, raw), handlers)


@router.post("/tiktok", status_code=200, summary="TikTok Shop webhook deliveries (all types)")
async def tiktok_webhook(request: Request, db: DbDep, queue: QueueDep,
                         settings: SettingsDep, handlers: HandlersDep) -> Response:
    """Verify Authorization = HMAC(app_secret, app_key + body) (401 if forged), then ingest
    once per tts_notification_id (reference §5.2)."""
    raw = await capped_body(request)
    if not verify_webhook(settings.tiktok_app_key, settings.tiktok_app_secret.get_secret_value(),
                          raw, request.headers.get("authorization")):
        log.warning("webhook.rejected", platform="tiktok")
        return Response(status_code=401)
    try:
        event = parse_webhook(raw)
    except WebhookError as exc:
        log.error("webhook.unparseable", platform="tiktok", error=str(exc))
        return Response(status_code=400)
    digest = hashlib.sha256(raw).hexdigest()
    # Without a notification id the body itself is the key: two events in one second differ.
    delivery_id = str(event.tts_notification_id or f"sha256:{digest}")
    webhook = InboundWebhook(Platform.TIKTOK, delivery_id, str(event.type), str(event.shop_id),
                             event, body_sha256=digest)
    return await _ingest(request, db, queue, webhook, handlers)


def _batcher(request: Request, db: Database, queue: JobQueue,
             handlers: WebhookHandlers) -> InboxBatcher:
    """This app's group-commit batcher on the running loop (made on first use)."""
    state = request.app.state
    batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, InboxBatcher] | None = \
        getattr(state, "inbox_batchers", None)
    if batchers is None:
        batchers = state.inbox_batchers = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    batcher = batchers.get(loop)
    if batcher is None:
        batcher = batchers[loop] = InboxBatcher(db, queue, handlers)
    return batcher


async def _ingest(request: Request, db: Database, queue: JobQueue, webhook: InboundWebhook,
                  handlers: WebhookHandlers) -> Response:
    """Persist (group commit with concurrent deliveries), then acknowledge with 200."""
    outcome = await _batcher(request, db, queue, handlers).ingest(webhook)
    log.info("webhook.ingested", platform=webhook.platform.value, topic=webhook.topic,
             outcome=outcome.value)
    return Response(status_code=200)
