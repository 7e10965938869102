"""Read helpers shared by the Products and Category templates pages (one connection at a time).

Status badges come from `sync_state` (kind "product", direction "to_tiktok", entity = product
GID); a product without a row is Not synced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import (
    CategoryTemplate,
    InventoryLevel,
    ShopifyProduct,
    ShopifyVariant,
    ShopSettings,
    SyncState,
    TikTokShop,
)
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.sync import state
from ecomsend.sync.products.converters import product_snapshot, template_spec
from ecomsend.sync.products.selection import select_template
from ecomsend.sync.products.types import ProductSnapshot, TemplateSpec

PRODUCT_KIND, TO_TIKTOK = "product", "to_tiktok"
#: Badge shown in the UI → the `sync_state.status` values behind it.
BADGES: dict[str, tuple[str, ...]] = {
    "not_synced": (state.NOT_SYNCED,),
    "syncing": (state.PENDING, state.RUNNING, state.BACKOFF),
    "synced": (state.SYNCED,),
    "failed": (state.FAILED,),
    "review_failed": (state.REVIEW_FAILED,),
}
BADGE_LABELS = {"not_synced": "Not synced", "syncing": "Syncing", "synced": "Synced",
                "failed": "Sync failed", "review_failed": "Review failed",
                "not_listable": "Not listable"}


def badge_of(status: str | None) -> str:
    """The UI badge for a raw `sync_state.status` (None: no row → Not synced)."""
    for badge, raw in BADGES.items():
        if status in raw:
            return badge
    return "not_synced"


#: A product's badge is its worst row over these kinds (a failed price push shows too).
BADGE_KINDS = ("product", "price", "inventory")
#: Worse is higher; the badge of a product is the worst of its rows.
RANKS = {"not_synced": 0, "synced": 1, "syncing": 2, "review_failed": 3, "failed": 4}
BADGE_OF_RANK = {rank: badge for badge, rank in RANKS.items()}


def rank_of(status: str | None) -> int:
    return RANKS[badge_of(status)]


def status_rank() -> Any:
    """SQL: the rank of `sync_state.status` (see RANKS)."""
    whens = [(SyncState.status.in_(raw), RANKS[badge]) for badge, raw in BADGES.items()
             if RANKS[badge]]
    return case(*whens, else_=0)


def worst_rank_subquery(tiktok_shop_id: int) -> Any:
    """`(entity_id, rank)`: each product's worst row in the connection (join on shopify_id)."""
    return (select(SyncState.entity_id.label("entity_id"),
                   func.max(status_rank()).label("rank"))
            .where(SyncState.tiktok_shop_id == tiktok_shop_id,
                   SyncState.direction == TO_TIKTOK, SyncState.kind.in_(BADGE_KINDS))
            .group_by(SyncState.entity_id).subquery())


async def all_states_by_gid(session: AsyncSession, tiktok_shop_id: int,
                            gids: Iterable[str]) -> dict[str, list[SyncState]]:
    """Every badge row (product, price, inventory) of these products in the connection."""
    ids = list(gids)
    out: dict[str, list[SyncState]] = {}
    if not ids:
        return out
    rows = (await session.execute(select(SyncState).where(
        SyncState.tiktok_shop_id == tiktok_shop_id, SyncState.direction == TO_TIKTOK,
        SyncState.kind.in_(BADGE_KINDS), SyncState.entity_id.in_(ids)))).scalars()
    for row in rows:
        out.setdefault(row.entity_id, []).append(row)
    return out


def worst(rows: Iterable[SyncState]) -> SyncState | None:
    """The row the badge shows: the worst status, the product row on a tie."""
    return max(rows, key=lambda r: (rank_of(r.status), r.kind == PRODUCT_KIND), default=None)


async def states_by_gid(session: AsyncSession, tiktok_shop_id: int,
                        gids: Iterable[str]) -> dict[str, SyncState]:
    """The `product` rows only (what template activation calls Not synced)."""
    ids = list(gids)
    if not ids:
        return {}
    rows = (await session.execute(select(SyncState).where(
        SyncState.tiktok_shop_id == tiktok_shop_id, SyncState.kind == PRODUCT_KIND,
        SyncState.direction == TO_TIKTOK, SyncState.entity_id.in_(ids)))).scalars()
    return {r.entity_id: r for r in rows}


async def templates_of(session: AsyncSession, tiktok_shop_id: int) -> list[CategoryTemplate]:
    return list((await session.execute(select(CategoryTemplate).where(
        CategoryTemplate.tiktok_shop_id == tiktok_shop_id).order_by(
        CategoryTemplate.priority, CategoryTemplate.id))).scalars())


async def product_settings(session: AsyncSession, tiktok_shop_id: int) -> dict[str, Any]:
    value = (await session.execute(select(ShopSettings.product).where(
        ShopSettings.tiktok_shop_id == tiktok_shop_id))).scalar_one_or_none()
    return dict(value or {})


async def selection_snapshots(session: AsyncSession, shop_id: int) -> list[ProductSnapshot]:
    """Every live product with just what template rules read (no variants): for previews."""
    rows = await session.execute(
        select(ShopifyProduct.shopify_id, ShopifyProduct.title, ShopifyProduct.vendor,
               ShopifyProduct.product_type, ShopifyProduct.tags, ShopifyProduct.collections,
               ShopifyProduct.status)
        .where(ShopifyProduct.shop_id == shop_id, ShopifyProduct.deleted_at.is_(None))
        .order_by(ShopifyProduct.id))
    return [ProductSnapshot(id=gid, title=title, vendor=vendor, product_type=ptype,
                            tags=tuple(tags or ()), collections=tuple(str(c) for c in cols or ()),
                            status=status or "ACTIVE")
            for gid, title, vendor, ptype, tags, cols, status in rows.all()]


async def full_snapshot(session: AsyncSession, product: ShopifyProduct,
                        currency: str) -> tuple[ProductSnapshot, list[ShopifyVariant]]:
    """The product with its variants and stock, as the push pipeline sees it."""
    variants = list((await session.execute(select(ShopifyVariant).where(
        ShopifyVariant.product_id == product.id).order_by(ShopifyVariant.position))).scalars())
    items = [v.inventory_item_id for v in variants if v.inventory_item_id]
    levels = list((await session.execute(select(InventoryLevel).where(
        InventoryLevel.shop_id == product.shop_id,
        InventoryLevel.inventory_item_id.in_(items)))).scalars()) if items else []
    return product_snapshot(product, variants, levels, currency=currency), variants


def matching_template(snapshot: ProductSnapshot,
                      rows: Iterable[CategoryTemplate]) -> TemplateSpec | None:
    """The template a manual sync pushes the product with, as the push pipeline chooses it:
    the active one that takes it (the default catches the rest), else any that would."""
    specs = [template_spec(r) for r in rows]
    return (select_template(snapshot, specs, active_only=True)
            or select_template(snapshot, specs, active_only=False))


async def owned_product(session: AsyncSession, connection: TikTokShop,
                        product_id: int) -> ShopifyProduct:
    """The connection's shop's live product by mirror id, or 404 (another shop's too)."""
    row = (await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.id == product_id, ShopifyProduct.shop_id == connection.shop_id,
        ShopifyProduct.deleted_at.is_(None)))).scalar_one_or_none()
    if row is None:
        raise HTTPException(404, "No such product in this shop.")
    return row


async def save_product_settings(session: AsyncSession, tiktok_shop_id: int,
                                product: dict[str, Any]) -> None:
    """Upsert `settings.product` of a connection (the row normally exists since connect)."""
    now = utcnow()
    stmt = dialect_insert(session, ShopSettings).values(
        tiktok_shop_id=tiktok_shop_id, product=product, order={}, fulfillment={},
        created_at=now, updated_at=now)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["tiktok_shop_id"], set_={"product": product, "updated_at": now}))


async def locked_product_settings(session: AsyncSession, tiktok_shop_id: int) -> dict[str, Any]:
    """`settings.product` read FOR UPDATE (PostgreSQL) before a read-modify-write."""
    value = (await session.execute(select(ShopSettings.product).where(
        ShopSettings.tiktok_shop_id == tiktok_shop_id).with_for_update())).scalar_one_or_none()
    return dict(value or {})
