"""Products the merchant excluded from a connection (`product_exclusion`): reads for the
listing pipeline, writes for the Products page's Exclude / Include.

Excluded products are never claimed by a template (`targets.claimed`, hence template
activation and product webhooks) and never marked by the catalog reconciliation; stock still
flows to a listing that exists. Session-taking functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from ecomsend.db.models import ProductExclusion, ShopifyProduct
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.sync.listing.ids import INVENTORY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def excluded_gids(session: AsyncSession, tiktok_shop_id: int) -> frozenset[str]:
    """Shopify GIDs of the connection's excluded products (one query; loading.connection)."""
    rows = await session.execute(select(ShopifyProduct.shopify_id).join(
        ProductExclusion, ProductExclusion.product_id == ShopifyProduct.id).where(
        ProductExclusion.tiktok_shop_id == tiktok_shop_id))
    return frozenset(str(g) for g in rows.scalars())


def without_excluded(pairs: Iterable[tuple[str, str]],
                     excluded: frozenset[str]) -> list[tuple[str, str]]:
    """(kind, product GID) marks minus the excluded products' (stock marks are kept, pure)."""
    return [(kind, gid) for kind, gid in pairs if kind == INVENTORY or gid not in excluded]


async def set_excluded(session: AsyncSession, tiktok_shop_id: int,
                       product_ids: Sequence[int], excluded: bool) -> int:
    """Exclude (or include back) mirrored products (`shopify_product.id`, already checked to
    belong to the connection's shop). Idempotent; returns how many rows changed."""
    if not product_ids:
        return 0
    if not excluded:
        gone = await session.execute(delete(ProductExclusion).where(
            ProductExclusion.tiktok_shop_id == tiktok_shop_id,
            ProductExclusion.product_id.in_(list(product_ids))).returning(ProductExclusion.id))
        return len(gone.all())
    now = utcnow()
    stmt = dialect_insert(session, ProductExclusion).values(
        [{"tiktok_shop_id": tiktok_shop_id, "product_id": pid, "created_at": now}
         for pid in product_ids]).on_conflict_do_nothing().returning(ProductExclusion.id)
    # RETURNING counts on both databases (a multi-row insert's rowcount is -1 on PostgreSQL).
    return len((await session.execute(stmt)).all())
