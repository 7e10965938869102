"""Webhook handlers of the listing pipeline, run inside the inbox's transaction (no network).

Shopify products/create|update|delete, inventory_levels/update, inventory_items/update: update
the mirror (newer only), then bump sync_state where TikTok needs it (`targets.bump`).
TikTok 5 (PRODUCT_STATUS_CHANGE) and 37 (PRODUCT_AUDIT_STATUS_CHANGE): an approval marks the
product synced again; a failure defers an `audit` job that reads TikTok's reasons (Get
Product) and marks the product `review_failed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, select, update

from ecomsend.db.models import ProductLink, Shop, ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.webhook_models import (
    InventoryItemPayload,
    InventoryLevelPayload,
    ProductDeletePayload,
    ProductPayload,
)
from ecomsend.integrations.tiktok.models.webhooks import (
    ProductAuditStatusChange,
    ProductStatusChange,
)
from ecomsend.sync import state
from ecomsend.sync.inbox import (
    InboundWebhook,
    Platform,
    WebhookHandler,
    keeps_shops,
    shop_lookups,
)
from ecomsend.sync.listing import mirror, targets
from ecomsend.sync.listing.ids import AUDIT, FROM_TIKTOK, PRODUCT, TO_TIKTOK, gid

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

#: TikTok webhook type ids (reference §5.3).
TIKTOK_PRODUCT_STATUS_CHANGE = "5"
TIKTOK_PRODUCT_AUDIT_STATUS_CHANGE = "37"
_FAILED_STATUSES = frozenset({"PRODUCT_AUDIT_FAILURE", "FAILED"})
_APPROVED_STATUSES = frozenset({"PRODUCT_FIRST_PASS_REVIEW", "APPROVED", "PRE_APPROVED"})


_SHOPS = cast(Table, Shop.__table__)
#: Prebuilt Core statements (bind parameters at execution): every webhook of a flood runs one,
#: and an ORM `select(Shop.id, ...)` built per call cost more CPU than the query itself.
_INSTALLED_SHOP = select(_SHOPS.c.id, _SHOPS.c.currency).where(
    _SHOPS.c.domain == bindparam("domain"), _SHOPS.c.uninstalled_at.is_(None))
_TTS = cast(Table, TikTokShop.__table__)
_TIKTOK_SHOP = select(_TTS.c.id, _TTS.c.shop_id).where(
    _TTS.c.tiktok_shop_id == bindparam("tiktok_shop_id"))
_SYNC = cast(Table, SyncState.__table__)
_LINKS = cast(Table, ProductLink.__table__)
#: An approved listing's product: review_failed → synced again (Core: no ORM session sync).
_APPROVED = update(_SYNC).where(
    _SYNC.c.tiktok_shop_id == bindparam("tts_id"), _SYNC.c.kind == PRODUCT,
    _SYNC.c.entity_id.in_(select(_LINKS.c.shopify_product_id).where(
        _LINKS.c.tiktok_shop_id == bindparam("tts_id"),
        _LINKS.c.tiktok_product_id == bindparam("product_id")).scalar_subquery()),
    _SYNC.c.direction == TO_TIKTOK, _SYNC.c.status == state.REVIEW_FAILED,
).values(status=state.SYNCED, last_error=None,
         updated_at=bindparam("now", type_=_SYNC.c.updated_at.type))


async def _shop(session: AsyncSession, domain: str) -> tuple[int, str] | None:
    """(shop id, currency) of an installed shop, read once per transaction (`shop_lookups`:
    never across transactions, where a cached answer applied a products/update that arrived
    just after the uninstall)."""
    found = shop_lookups(session)
    key = ("shopify", domain)
    if key not in found:
        row = (await (await session.connection()).execute(_INSTALLED_SHOP, {"domain": domain})
               ).first()
        found[key] = None if row is None else (int(row[0]), str(row[1] or "USD"))
    shop: tuple[int, str] | None = found[key]
    return shop


async def _tiktok_shop(session: AsyncSession, tiktok_shop_id: str) -> tuple[int, int] | None:
    """(connection id, shop id) of a TikTok shop id, read once per transaction (as `_shop`)."""
    found = shop_lookups(session)
    key = ("tiktok", tiktok_shop_id)
    if key not in found:
        row = (await (await session.connection()).execute(
            _TIKTOK_SHOP, {"tiktok_shop_id": tiktok_shop_id})).first()
        found[key] = None if row is None else (int(row[0]), int(row[1]))
    shop: tuple[int, int] | None = found[key]
    return shop


async def _owned_elsewhere(session: AsyncSession, shop_id: int, shopify_id: str) -> bool:
    """Whether another shop mirrors this product. Shopify ids are global and the body of a
    products webhook names no shop: a captured delivery re-sent under another shop's
    X-Shopify-Shop-Domain header (not signed) must not add the product there."""
    return (await session.execute(select(ShopifyProduct.id).where(
        ShopifyProduct.shopify_id == shopify_id, ShopifyProduct.shop_id != shop_id).limit(1))
            ).first() is not None


async def _bump_all(session: AsyncSession, queue: JobQueue,
                    changes: list[mirror.Change]) -> str:
    notes = []
    for change in changes:
        notes.extend(await targets.bump(session, queue, change))
    return _pushes_note(notes)


def _pushes_note(notes: list[str]) -> str:
    """The activity-log note of a webhook: which pushes it queued."""
    return "pushes: " + (", ".join(notes) if notes else "none")


async def products_upsert(session: AsyncSession, queue: JobQueue,
                          webhook: InboundWebhook) -> str:
    """products/create and products/update."""
    shop = await _shop(session, webhook.shop_key)
    if shop is None:
        return "unknown shop"
    payload: ProductPayload = webhook.payload
    if await _owned_elsewhere(session, shop[0], payload.admin_graphql_api_id
                              or gid("Product", payload.id)):
        return "product of another shop; ignored"
    change = await mirror.apply_product(session, shop[0], payload, shop[1])
    if change is None:
        return "older than the mirror; ignored"
    return await _bump_all(session, queue, [change])


async def products_delete(session: AsyncSession, queue: JobQueue,
                          webhook: InboundWebhook) -> str:
    shop = await _shop(session, webhook.shop_key)
    if shop is None:
        return "unknown shop"
    payload: ProductDeletePayload = webhook.payload
    change = await mirror.delete_product(session, shop[0], payload.id, shop[1])
    return "not mirrored" if change is None else await _bump_all(session, queue, [change])


async def inventory_level_update(session: AsyncSession, queue: JobQueue,
                                 webhook: InboundWebhook) -> str:
    shop = await _shop(session, webhook.shop_key)
    if shop is None:
        return "unknown shop"
    payload: InventoryLevelPayload = webhook.payload
    item = await mirror.apply_inventory_level(session, shop[0], payload)
    if item is None:
        return "no change"
    return _pushes_note(await targets.bump_stock(session, queue, shop[0], item))


async def inventory_item_update(session: AsyncSession, queue: JobQueue,
                                webhook: InboundWebhook) -> str:
    shop = await _shop(session, webhook.shop_key)
    if shop is None:
        return "unknown shop"
    payload: InventoryItemPayload = webhook.payload
    changes = await mirror.apply_inventory_item(session, shop[0], payload, shop[1])
    return await _bump_all(session, queue, changes)


def _audit_outcome(webhook: InboundWebhook) -> tuple[str, str] | None:
    """(tiktok product id, "failed" | "approved") of a type 5 / 37 event, else None."""
    event = webhook.payload
    if isinstance(event, ProductStatusChange):
        status = event.data.status
    elif isinstance(event, ProductAuditStatusChange):
        status = (event.data.audit.status if event.data.audit else None) or ""
    else:
        return None
    if status in _FAILED_STATUSES:
        return str(event.data.product_id), "failed"
    if status in _APPROVED_STATUSES:
        return str(event.data.product_id), "approved"
    return None


async def tiktok_product_audit(session: AsyncSession, queue: JobQueue,
                               webhook: InboundWebhook) -> str:
    """Types 5 and 37: record the audit outcome of a listing we know."""
    outcome = _audit_outcome(webhook)
    if outcome is None:
        return "no audit outcome"
    product_id, result = outcome
    shop = await _tiktok_shop(session, webhook.shop_key)
    if shop is None:
        return "unknown TikTok shop"
    tts_id, shop_id = shop
    if result == "approved":
        await (await session.connection()).execute(_APPROVED, {
            "tts_id": tts_id, "product_id": product_id, "now": utcnow()})
        return "audit approved"
    # The listing may not be linked yet (its create is finishing): the job waits for it.
    await state.mark_changed(session, queue, state.EntityKey(
        shop_id, tts_id, AUDIT, product_id, FROM_TIKTOK))
    return "audit failed: reading reasons"


#: None of them changes a shop or a connection: the shops they look up stay valid after them.
LISTING_WEBHOOK_HANDLERS: dict[tuple[Platform, str], WebhookHandler] = {
    (Platform.SHOPIFY, "products/create"): keeps_shops(products_upsert),
    (Platform.SHOPIFY, "products/update"): keeps_shops(products_upsert),
    (Platform.SHOPIFY, "products/delete"): keeps_shops(products_delete),
    (Platform.SHOPIFY, "inventory_levels/update"): keeps_shops(inventory_level_update),
    (Platform.SHOPIFY, "inventory_items/update"): keeps_shops(inventory_item_update),
    (Platform.TIKTOK, TIKTOK_PRODUCT_STATUS_CHANGE): keeps_shops(tiktok_product_audit),
    (Platform.TIKTOK, TIKTOK_PRODUCT_AUDIT_STATUS_CHANGE): keeps_shops(tiktok_product_audit),
}
