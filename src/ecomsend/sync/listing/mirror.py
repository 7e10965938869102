"""Shopify webhook payloads → the catalog mirror, newer-only (DESIGN.md §4.1).

Runs inside the inbox's transaction (no network). Each function returns the product's rows
before and after the change (`Change`), so the caller can classify what TikTok would see.
Shopify's REST timestamps have one-second precision: a payload as new as the stored row is
applied (same-second edits arrive in order far more often than not, and reconciliation
repairs the rest); only a strictly older payload is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from ecomsend.db.models import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert, prepared
from ecomsend.integrations.shopify.webhook_models import (
    InventoryItemPayload,
    InventoryLevelPayload,
    ProductPayload,
    VariantPayload,
)
from ecomsend.sync.listing.ids import gid
from ecomsend.sync.listing.loading import ProductRows, deleted_aware, rows_of
from ecomsend.sync.products.types import ProductSnapshot

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: Status of a product deleted in Shopify, in snapshots (never a Shopify status).
DELETED = "DELETED"
#: `shopify_product.content_hash` marker: a payload as old as the mirror was applied (same
#: second, order unknown), so the next push re-reads the product from Shopify first.
REFRESH = "refresh"


@dataclass
class Change:
    """A mirrored product before (None when new) and after a webhook."""

    shop_id: int
    product_id: str
    old: ProductSnapshot | None
    new: ProductSnapshot


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 timestamp of a REST payload (offset or `Z`), or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """True when the payload is strictly older than what the mirror holds."""
    return incoming is not None and stored is not None and incoming < stored


def snapshot(rows: ProductRows, currency: str) -> ProductSnapshot:
    """The product's snapshot; a deleted product gets the DELETED status."""
    return deleted_aware(rows, currency)


def _money(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _images(payload: ProductPayload, stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Payload images, keeping our cached TikTok upload of any URL that did not change."""
    cached = {i.get("url"): i.get("tiktok") for i in stored or () if isinstance(i, dict)}
    ordered = sorted(payload.images, key=lambda i: i.position or 0)
    out = []
    for image in ordered:
        if not image.src:
            continue
        item: dict[str, Any] = {"id": gid("ProductImage", image.id or 0), "url": image.src,
                                "alt": image.alt}
        if cached.get(image.src):
            item["tiktok"] = cached[image.src]
        out.append(item)
    return out


async def _product_row(session: AsyncSession, shop_id: int, shopify_id: str) -> ShopifyProduct:
    """The product row, created empty if new (insert-or-nothing, never check-then-insert)."""
    now = utcnow()
    stmt = dialect_insert(session, ShopifyProduct).values(
        shop_id=shop_id, shopify_id=shopify_id, title="", status="ACTIVE", tags=[], options=[],
        images=[], collections=[], created_at=now, updated_at=now)
    await session.execute(stmt.on_conflict_do_nothing())
    return (await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id == shopify_id))
    ).scalar_one()


def _selected_options(variant: VariantPayload, names: list[str]) -> list[dict[str, str]]:
    values = (variant.option1, variant.option2, variant.option3)
    return [{"name": name, "value": value}
            for name, value in zip(names, values, strict=False) if value is not None]


def _apply_variant(row: ShopifyVariant, v: VariantPayload, names: list[str],
                   image_url: str | None) -> None:
    row.title = v.title
    row.sku = v.sku
    row.barcode = v.barcode
    row.price = _money(v.price) or Decimal(0)
    row.compare_at_price = _money(v.compare_at_price)
    if v.inventory_item_id is not None:
        row.inventory_item_id = gid("InventoryItem", v.inventory_item_id)
    row.position = v.position or 1
    row.selected_options = _selected_options(v, names)
    row.image_url = image_url
    row.source_updated_at = parse_time(v.updated_at) or row.source_updated_at
    row.updated_at = utcnow()


async def _apply_variants(session: AsyncSession, rows: ProductRows,
                          payload: ProductPayload) -> None:
    """Upsert the payload's variants; drop the ones Shopify no longer lists."""
    product = rows.product
    names = [o.name for o in sorted(payload.options, key=lambda o: o.position or 0)]
    image_url = product.images[0]["url"] if product.images else None
    by_id = {v.shopify_id: v for v in rows.variants}
    keep = {gid("ProductVariant", str(g.get("admin_graphql_api_id") or ""))
            for g in payload.variant_gids}
    now = utcnow()
    for v in payload.variants:
        vid = v.admin_graphql_api_id or gid("ProductVariant", v.id)
        keep.add(vid)
        row = by_id.get(vid)
        if row is None:
            row = ShopifyVariant(shop_id=product.shop_id, product_id=product.id, shopify_id=vid,
                                 price=Decimal(0), created_at=now)
            session.add(row)
        _apply_variant(row, v, names, image_url)
    for vid, row in by_id.items():
        if vid not in keep:
            await session.delete(row)
    await session.flush()


async def apply_product(session: AsyncSession, shop_id: int, payload: ProductPayload,
                        currency: str) -> Change | None:
    """products/create|update → mirror; None when the payload is older than the mirror."""
    shopify_id = payload.admin_graphql_api_id or gid("Product", payload.id)
    product = await _product_row(session, shop_id, shopify_id)
    incoming = parse_time(payload.updated_at)
    if is_stale(incoming, product.source_updated_at):
        return None
    ambiguous = incoming is not None and incoming == product.source_updated_at
    before = await rows_of(session, product)
    old = snapshot(before, currency) if product.title else None
    product.title = (payload.title or product.title)[:512]
    product.handle = payload.handle
    product.body_html = payload.body_html
    product.vendor = payload.vendor
    product.product_type = payload.product_type
    product.status = (payload.status or "active").upper()
    product.tags = payload.tag_list
    product.options = [{"name": o.name, "position": o.position, "values": list(o.values)}
                       for o in payload.options]
    product.images = _images(payload, product.images)
    product.source_updated_at = incoming or product.source_updated_at
    product.deleted_at = None
    product.updated_at = utcnow()
    product.content_hash = REFRESH if ambiguous else None
    await _apply_variants(session, before, payload)
    after = await rows_of(session, product)
    return Change(shop_id, shopify_id, old, snapshot(after, currency))


async def delete_product(session: AsyncSession, shop_id: int, product_numeric_id: int,
                         currency: str) -> Change | None:
    """products/delete → the mirror row is kept, marked deleted (its links still matter)."""
    shopify_id = gid("Product", product_numeric_id)
    product = (await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id == shopify_id))
    ).scalar_one_or_none()
    if product is None or product.deleted_at is not None:
        return None
    before = await rows_of(session, product)
    old = snapshot(before, currency)
    product.deleted_at = utcnow()
    product.updated_at = utcnow()
    await session.flush()
    return Change(shop_id, shopify_id, old, replace(old, status=DELETED))


async def _product_of_item(session: AsyncSession, shop_id: int,
                           item_gid: str) -> list[ShopifyProduct]:
    return list((await session.execute(select(ShopifyProduct).join(
        ShopifyVariant, ShopifyVariant.product_id == ShopifyProduct.id).where(
        ShopifyVariant.shop_id == shop_id, ShopifyVariant.inventory_item_id == item_gid)
        .distinct())).scalars())


async def apply_inventory_level(session: AsyncSession, shop_id: int,
                                payload: InventoryLevelPayload) -> str | None:
    """inventory_levels/update → the level row in one statement: inserted, or updated when
    the quantity differs and the payload is not older. Returns the item GID when the mirror
    changed, None for a repeat or an older payload (the common no-op costs one query)."""
    item = gid("InventoryItem", payload.inventory_item_id)
    # Core execution on the session's connection: same transaction, without the ORM's bulk
    # persistence machinery (this runs for every stock webhook).
    conn = await session.connection()
    changed = (await conn.execute(prepared(session, _level_upsert), {
        "shop_id": shop_id, "inventory_item_id": item,
        "location_id": gid("Location", payload.location_id),
        "available": payload.available or 0,
        "source_updated_at": parse_time(payload.updated_at)})).first() is not None
    return item if changed else None


def _level_upsert(insert: Callable[..., Any]) -> Any:
    """Insert a level, or update it when the quantity differs and the payload is not older."""
    table = InventoryLevel.__table__
    stmt = insert(table)
    new = stmt.excluded
    newer = or_(table.c.source_updated_at.is_(None), new.source_updated_at.is_(None),
                table.c.source_updated_at <= new.source_updated_at)
    return stmt.on_conflict_do_update(
        index_elements=["shop_id", "inventory_item_id", "location_id"],
        set_={"available": new.available, "source_updated_at": new.source_updated_at},
        where=and_(table.c.available != new.available, newer),
    ).returning(table.c.id)


async def apply_inventory_item(session: AsyncSession, shop_id: int,
                               payload: InventoryItemPayload, currency: str) -> list[Change]:
    """inventory_items/update → the SKU of the variant(s) using the item."""
    item = payload.admin_graphql_api_id or gid("InventoryItem", payload.id)
    changes = []
    for product in await _product_of_item(session, shop_id, item):
        before = await rows_of(session, product)
        old = snapshot(before, currency)
        touched = False
        for variant in before.variants:
            if variant.inventory_item_id == item and payload.sku is not None \
                    and variant.sku != payload.sku:
                variant.sku = payload.sku
                touched = True
        if touched:
            await session.flush()
            changes.append(Change(shop_id, product.shopify_id, old,
                                  snapshot(await rows_of(session, product), currency)))
    return changes
