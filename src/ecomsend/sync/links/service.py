"""Link products, I/O part: read TikTok listings and the mirror, write and remove links.

Every function takes the caller's session (and never commits) or the TikTok client. Links are
written with `INSERT … ON CONFLICT DO NOTHING` per pair: a pair that loses a race, or whose
variant or SKU is already linked, comes back in `conflicts` — never check-then-insert. A new
link marks the Shopify product pending, so the linked listing receives price and inventory
updates like a listing we created (price and inventory pushes, never a full edit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from ecomsend.db.models import ProductLink, ShopifyProduct, ShopifyVariant, ShopSettings
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.tiktok.models.products import Product
from ecomsend.sync.links.matching import LinkPair, ShopifyVariantRef, TikTokSkuRef
from ecomsend.sync.links.overrides import overrides_from_settings
from ecomsend.sync.listing.ids import INVENTORY, PRICE, TO_TIKTOK
from ecomsend.sync.state import EntityKey, mark_changed

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.integrations.tiktok.client import TikTokClient
    from ecomsend.integrations.tiktok.context import ShopContext
    from ecomsend.jobs.port import JobQueue

#: Search Products returns at most 10,000 results; the link page reads this many at most.
MAX_LISTINGS = 2000
PAGE_SIZE = 100
#: What a new link queues: the cheap endpoints only, never a full edit of the listing.
LINKED_KINDS = (PRICE, INVENTORY)
LINKED = "linked"


def sku_barcode(sku: Any) -> str | None:
    """The identifier code (GTIN/EAN/UPC) of a TikTok SKU read by Get Product, if any."""
    raw = (getattr(sku, "model_extra", None) or {}).get("identifier_code")
    code = raw.get("code") if isinstance(raw, dict) else None
    return str(code) if code else None


def listing_skus(product: Product, barcodes: dict[str, str] | None = None) -> list[TikTokSkuRef]:
    """The SKUs of one TikTok listing as link-page references."""
    known = barcodes or {}
    return [TikTokSkuRef(product.id, s.id, product.title or "", s.seller_sku,
                         known.get(s.id) or sku_barcode(s)) for s in product.skus]


async def fetch_listings(client: TikTokClient, shop: ShopContext, *,
                         limit: int = MAX_LISTINGS) -> list[Product]:
    """Every listing of the shop (Search Products, page by page), up to `limit`."""
    found: list[Product] = []
    token: str | None = None
    while len(found) < limit:
        page = await client.products.search_products(shop, page_size=PAGE_SIZE, page_token=token)
        found.extend(page.products)
        token = page.next_page_token
        if not token or not page.products:
            break
    return found[:limit]


async def fetch_barcodes(client: TikTokClient, shop: ShopContext,
                         product_ids: Iterable[str], *, limit: int) -> dict[str, str]:
    """`{sku_id: barcode}` from Get Product for up to `limit` listings (search omits them)."""
    barcodes: dict[str, str] = {}
    for product_id in list(product_ids)[:limit]:
        product = await client.products.get_product(shop, product_id)
        for sku in product.skus:
            code = sku_barcode(sku)
            if code:
                barcodes[sku.id] = code
    return barcodes


async def shop_variants(session: AsyncSession, shop_id: int) -> list[ShopifyVariantRef]:
    """Every variant of the shop's live (not deleted) products in the mirror."""
    rows = await session.execute(
        select(ShopifyVariant.shopify_id, ShopifyProduct.shopify_id, ShopifyProduct.title,
               ShopifyVariant.title, ShopifyVariant.sku, ShopifyVariant.barcode)
        .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
        .where(ShopifyVariant.shop_id == shop_id, ShopifyProduct.deleted_at.is_(None))
        .order_by(ShopifyProduct.id, ShopifyVariant.position))
    return [ShopifyVariantRef(*row) for row in rows.all()]


async def linked_ids(session: AsyncSession, tiktok_shop_id: int) -> tuple[set[str], set[str]]:
    """(linked Shopify variant ids, linked TikTok SKU ids) of one connection."""
    rows = (await session.execute(
        select(ProductLink.shopify_variant_id, ProductLink.tiktok_sku_id)
        .where(ProductLink.tiktok_shop_id == tiktok_shop_id))).all()
    return {r[0] for r in rows}, {r[1] for r in rows}


async def override_for(session: AsyncSession, tiktok_shop_id: int,
                       product_gid: str) -> dict[str, Any] | None:
    """The manual-sync override saved for a product (see `overrides`), for the push pipeline:
    `effective_template(choose_template(job), await override_for(...), region)`."""
    raw = (await session.execute(select(ShopSettings.product).where(
        ShopSettings.tiktok_shop_id == tiktok_shop_id))).scalar_one_or_none()
    return overrides_from_settings(raw or {}).get(product_gid)


@dataclass
class LinkOutcome:
    """Which pairs became links (with their ids) and which collided with an existing link."""

    created: list[tuple[int, LinkPair]] = field(default_factory=list)
    conflicts: list[LinkPair] = field(default_factory=list)


async def insert_links(session: AsyncSession, tiktok_shop_id: int,
                       pairs: Sequence[LinkPair], *, origin: str = LINKED) -> LinkOutcome:
    """Insert each pair; the unique constraints decide, a collision lands in `conflicts`."""
    outcome = LinkOutcome()
    now = utcnow()
    for pair in pairs:
        stmt = dialect_insert(session, ProductLink).values(
            tiktok_shop_id=tiktok_shop_id, shopify_product_id=pair.shopify_product_id,
            shopify_variant_id=pair.shopify_variant_id, tiktok_product_id=pair.tiktok_product_id,
            tiktok_sku_id=pair.tiktok_sku_id, origin=origin, created_at=now, updated_at=now,
        ).on_conflict_do_nothing().returning(ProductLink.id)
        link_id = (await session.execute(stmt)).scalar_one_or_none()
        if link_id is None:
            outcome.conflicts.append(pair)
        else:
            outcome.created.append((int(link_id), pair))
    return outcome


async def delete_link(session: AsyncSession, tiktok_shop_id: int,
                      link_id: int) -> tuple[str, str] | None:
    """Remove one link of this connection; returns (Shopify product id, TikTok product id)."""
    row = (await session.execute(
        delete(ProductLink).where(ProductLink.id == link_id,
                                  ProductLink.tiktok_shop_id == tiktok_shop_id)
        .returning(ProductLink.shopify_product_id, ProductLink.tiktok_product_id))).first()
    return None if row is None else (str(row[0]), str(row[1]))


async def mark_linked_pending(session: AsyncSession, queue: JobQueue, shop_id: int,
                              tiktok_shop_id: int, product_ids: Iterable[str]) -> list[int]:
    """Queue a price and an inventory push per newly linked Shopify product (GIDs): the
    listing keeps its own content and gets our prices and stock, like a listing we created.
    Returns the sync_state ids (price, inventory for each product, in GID order)."""
    return [await mark_changed(session, queue, EntityKey(shop_id, tiktok_shop_id, kind, pid,
                                                         TO_TIKTOK))
            for pid in sorted(set(product_ids)) for kind in LINKED_KINDS]
