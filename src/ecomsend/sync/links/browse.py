"""Link products page, the lists the merchant browses: linked pairs, Shopify variants to pick,
TikTok listings to pick, and proposals (by SKU, barcode, title) minus the ones they rejected.

Database reads run in the caller's session and never commit; `dismiss` writes with
insert-or-ignore on the unique key. The TikTok side is read through `ListingCache`: one
snapshot of the shop's listings (and the barcodes Get Product gave) per connection, kept
`SNAPSHOT_TTL_S` seconds per app process, so paging, tab switches and search-as-you-type cost no
TikTok calls. Called by `web.api_links_page`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, or_, select

from ecomsend.db.models import LinkDismissal, ProductLink, ShopifyProduct, ShopifyVariant
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.tiktok.models.products import Product
from ecomsend.sync.links import matching
from ecomsend.sync.links.matching import LinkPair, ShopifyVariantRef, TikTokSkuRef

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: How long a listing snapshot serves the page before TikTok is read again.
SNAPSHOT_TTL_S = 120.0
ProposalKind = Literal["sku", "barcode", "title"]
LinkSort = Literal["newest", "oldest", "product"]


@dataclass
class Snapshot:
    """The TikTok shop's listings as last read, with the barcodes looked up for them."""

    listings: list[Product]
    barcodes: dict[str, str]
    barcode_lookups: int
    read_at: float = field(default_factory=time.time)


class ListingCache:
    """Per-process snapshots per connection; one load at a time per connection."""

    def __init__(self, ttl_s: float = SNAPSHOT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._items: dict[int, tuple[float, Snapshot]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def get(self, connection_id: int, load: Callable[[], Awaitable[Snapshot]],
                  *, refresh: bool = False) -> Snapshot:
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            hit = self._items.get(connection_id)
            if hit is not None and hit[0] > time.monotonic() and not refresh:
                return hit[1]
            snapshot = await load()
            self._items[connection_id] = (time.monotonic() + self.ttl_s, snapshot)
            return snapshot


def _like(column: Any, needle: str) -> Any:
    return func.lower(column).contains(needle.lower(), autoescape=True)


# ---- linked pairs ----------------------------------------------------------------------------

def linked_query(connection_id: int, shop_id: int, q: str | None, sort: LinkSort) -> Any:
    """Links of a connection with the Shopify titles and SKU, searched and sorted."""
    stmt = (select(ProductLink, ShopifyProduct.title, ShopifyVariant.title, ShopifyVariant.sku)
            .outerjoin(ShopifyVariant, (ShopifyVariant.shopify_id == ProductLink.shopify_variant_id)
                       & (ShopifyVariant.shop_id == shop_id))
            .outerjoin(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
            .where(ProductLink.tiktok_shop_id == connection_id))
    if q:
        stmt = stmt.where(or_(_like(ShopifyProduct.title, q), _like(ShopifyVariant.sku, q),
                              _like(ShopifyVariant.title, q),
                              ProductLink.tiktok_product_id.contains(q, autoescape=True),
                              ProductLink.tiktok_sku_id.contains(q, autoescape=True)))
    order = {"newest": [ProductLink.id.desc()], "oldest": [ProductLink.id.asc()],
             "product": [func.lower(ShopifyProduct.title).asc(), ProductLink.id.asc()]}[sort]
    return stmt.order_by(*order)


async def variant_by_sku(session: AsyncSession, connection_id: int) -> dict[str, str]:
    """`{TikTok SKU id: Shopify variant GID}` of the connection's links."""
    rows = await session.execute(select(ProductLink.tiktok_sku_id, ProductLink.shopify_variant_id)
                                 .where(ProductLink.tiktok_shop_id == connection_id))
    return {a: b for a, b in rows.all()}


# ---- Shopify variants ------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantRow:
    variant_id: str
    product_id: str
    product_title: str
    variant_title: str | None
    sku: str | None
    barcode: str | None
    linked_tiktok_sku_id: str | None


async def search_variants(session: AsyncSession, shop_id: int, connection_id: int,
                          q: str | None, unlinked_only: bool, limit: int, offset: int,
                          ) -> tuple[int, list[VariantRow]]:
    """Live variants of the shop whose product title, variant title, SKU or barcode contains
    `q`, with the TikTok SKU each is linked to on this connection."""
    link = select(ProductLink.tiktok_sku_id).where(
        ProductLink.tiktok_shop_id == connection_id,
        ProductLink.shopify_variant_id == ShopifyVariant.shopify_id).scalar_subquery()
    where = [ShopifyVariant.shop_id == shop_id, ShopifyProduct.deleted_at.is_(None)]
    if q:
        where.append(or_(_like(ShopifyProduct.title, q), _like(ShopifyVariant.title, q),
                         _like(ShopifyVariant.sku, q), _like(ShopifyVariant.barcode, q)))
    if unlinked_only:
        where.append(link.is_(None))
    base = select(ShopifyVariant).join(ShopifyProduct,
                                       ShopifyProduct.id == ShopifyVariant.product_id)
    total = int((await session.execute(select(func.count()).select_from(
        base.where(*where).subquery()))).scalar_one())
    rows = await session.execute(
        select(ShopifyVariant.shopify_id, ShopifyProduct.shopify_id, ShopifyProduct.title,
               ShopifyVariant.title, ShopifyVariant.sku, ShopifyVariant.barcode, link)
        .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id).where(*where)
        .order_by(func.lower(ShopifyProduct.title), ShopifyProduct.id, ShopifyVariant.position)
        .limit(limit).offset(offset))
    return total, [VariantRow(*r) for r in rows.all()]


# ---- TikTok listings -------------------------------------------------------------------------

def listing_matches(product: Product, needle: str) -> bool:
    """The listing's title or id, or one of its SKUs' seller SKU or id, contains `needle`."""
    n = needle.strip().casefold()
    if n in (product.title or "").casefold() or n in product.id:
        return True
    return any(n in (s.seller_sku or "").casefold() or n in s.id for s in product.skus)


# ---- proposals -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposalRow:
    """One proposal as the page lists it; `shopify_variant_id`/`tiktok_sku_id` are None for a
    title suggestion whose products have several variants (the merchant links by hand)."""

    key: str
    reason: str
    score: float
    shopify_product_id: str
    shopify_variant_id: str | None
    tiktok_product_id: str
    tiktok_sku_id: str | None


async def dismissed(session: AsyncSession, connection_id: int) -> set[tuple[str, str]]:
    rows = await session.execute(select(LinkDismissal.shopify_id, LinkDismissal.tiktok_id)
                                 .where(LinkDismissal.tiktok_shop_id == connection_id))
    return {(a, b) for a, b in rows.all()}


def _row(p: LinkPair) -> ProposalRow:
    return ProposalRow(f"{p.shopify_variant_id}|{p.tiktok_sku_id}", p.reason, p.score,
                       p.shopify_product_id, p.shopify_variant_id, p.tiktok_product_id,
                       p.tiktok_sku_id)


def proposals(kind: ProposalKind, variants: Sequence[ShopifyVariantRef],
              skus: Sequence[TikTokSkuRef], linked_v: set[str], linked_s: set[str],
              rejected: set[tuple[str, str]]) -> tuple[list[ProposalRow], list[str]]:
    """The proposals of one kind (pure), minus rejected ones; and the ambiguous SKUs.
    Pairs proposed by SKU are taken out of the barcode and title suggestions."""
    def keep(pairs: Iterable[LinkPair]) -> list[LinkPair]:
        return [p for p in pairs if (p.shopify_variant_id, p.tiktok_sku_id) not in rejected]

    by_sku = matching.propose_by_sku(variants, skus, linked_variants=linked_v,
                                     linked_skus=linked_s)
    sku_pairs = keep(by_sku.pairs)
    if kind == "sku":
        return [_row(p) for p in sku_pairs], by_sku.ambiguous
    taken_v = linked_v | {p.shopify_variant_id for p in sku_pairs}
    taken_s = linked_s | {p.tiktok_sku_id for p in sku_pairs}
    if kind == "barcode":
        found = matching.suggest_by_barcode(variants, skus, linked_variants=taken_v,
                                            linked_skus=taken_s)
        return [_row(p) for p in keep(found.pairs)], []
    rows = []
    for t in matching.suggest_by_title(variants, skus, linked_variants=taken_v,
                                       linked_skus=taken_s):
        if (t.shopify_product_id, t.tiktok_product_id) in rejected:
            continue
        if t.pair is not None:
            if (t.pair.shopify_variant_id, t.pair.tiktok_sku_id) not in rejected:
                rows.append(_row(t.pair))
            continue
        rows.append(ProposalRow(f"{t.shopify_product_id}|{t.tiktok_product_id}",
                                "similar title", t.score, t.shopify_product_id, None,
                                t.tiktok_product_id, None))
    return rows, []


async def dismiss(session: AsyncSession, connection_id: int,
                  items: Sequence[tuple[str, str]]) -> int:
    """Record rejected suggestions (already rejected ones are ignored); returns how many new."""
    added = 0
    for shopify_id, tiktok_id in dict.fromkeys(items):
        stmt = dialect_insert(session, LinkDismissal).values(
            tiktok_shop_id=connection_id, shopify_id=shopify_id, tiktok_id=tiktok_id,
            created_at=utcnow()).on_conflict_do_nothing().returning(LinkDismissal.id)
        if (await session.execute(stmt)).scalar_one_or_none() is not None:
            added += 1
    return added


async def shop_owns(session: AsyncSession, shop_id: int, gids: Iterable[str]) -> set[str]:
    """Which of these variant or product GIDs belong to the shop's live catalog."""
    wanted = set(gids)
    variants = await session.execute(select(ShopifyVariant.shopify_id).where(
        ShopifyVariant.shop_id == shop_id, ShopifyVariant.shopify_id.in_(wanted)))
    products = await session.execute(select(ShopifyProduct.shopify_id).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id.in_(wanted)))
    return set(variants.scalars()) | set(products.scalars())
