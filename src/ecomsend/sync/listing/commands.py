"""Use-cases of the product pages' JSON API (Products, Category templates, readiness).

Session-taking functions run in the caller's unit of work and never commit: the route commits
once, so the state change and the jobs it defers are atomic. `shop_readiness` and
`recommended_category` call TikTok and must be called with no transaction open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ecomsend.db.models import CategoryTemplate, ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.services import tiktok_context
from ecomsend.sync import state
from ecomsend.sync.bulk_mark import mark_in_batches
from ecomsend.sync.errors import FieldError
from ecomsend.sync.listing import loading, reference
from ecomsend.sync.listing.errors import tiktok_errors
from ecomsend.sync.listing.ids import PRODUCT, TO_TIKTOK
from ecomsend.sync.listing.mirror import snapshot
from ecomsend.sync.listing.targets import claimed
from ecomsend.sync.products.preflight import validate
from ecomsend.sync.products.recommend import CategoryCandidate, recommend_categories
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.selection import SelectionPreview, preview
from ecomsend.sync.products.types import ProductPrefs, ProductSnapshot, TemplateSpec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue
    from ecomsend.services import Services

#: What to do in Seller Center for each failing listing prerequisite (Check Listing
#: Prerequisites `check_item`, reference §4.5).
PREREQUISITE_FIXES: dict[str, str] = {
    "SHOP_STATUS": "Your TikTok shop is not active yet: finish onboarding in Seller Center.",
    "SHOP_TAX": "Add your tax information in Seller Center → My Account → Tax information.",
    "PICKUP_WAREHOUSE": "Add a pickup (sales) warehouse address in Seller Center → "
                        "Shipping → Warehouse settings.",
    "RETURN_WAREHOUSE": "Add a return warehouse address in Seller Center → Shipping → "
                        "Warehouse settings.",
    "DELIVERY_OPTION": "Enable at least one delivery option in Seller Center → Shipping → "
                       "Delivery options.",
    "SHIPPING_TEMPLATE": "Create a shipping template in Seller Center → Shipping → Shipping "
                         "templates.",
}


class NotFound(LookupError):
    """The id does not exist (for this shop): the API answers 404."""


@dataclass(frozen=True)
class ReadinessItem:
    """One listing prerequisite: what TikTok checks, whether it passes, how to fix it."""

    check: str
    ok: bool
    reasons: tuple[str, ...]
    fix: str | None


@dataclass(frozen=True)
class Readiness:
    """Whether the TikTok shop can list products, and what to set up in Seller Center."""

    ready: bool
    items: tuple[ReadinessItem, ...]

    @property
    def to_do(self) -> list[str]:
        return [i.fix or f"{i.check}: {'; '.join(i.reasons)}" for i in self.items if not i.ok]


async def sync_products(session: AsyncSession, queue: JobQueue, tiktok_shop_id: int,
                        product_ids: Sequence[str]) -> list[int]:
    """Manual sync: mark each Shopify product (GID) pending for the TikTok shop (`tiktok_shop.id`)
    and defer its push. Returns the sync_state ids (in `product_ids` order). Unknown or deleted
    products raise NotFound; nothing is marked then."""
    tts = await _tiktok_shop(session, tiktok_shop_id)
    known = set((await session.execute(select(ShopifyProduct.shopify_id).where(
        ShopifyProduct.shop_id == tts.shop_id, ShopifyProduct.deleted_at.is_(None),
        ShopifyProduct.shopify_id.in_(list(product_ids))))).scalars())
    missing = [p for p in product_ids if p not in known]
    if missing:
        raise NotFound(f"unknown product(s): {', '.join(missing[:5])}")
    return [await state.mark_changed(session, queue, state.EntityKey(
        tts.shop_id, tts.id, PRODUCT, pid, TO_TIKTOK), backlog=n)
        for n, pid in enumerate(product_ids)]


async def retry(session: AsyncSession, queue: JobQueue, sync_state_id: int) -> int:
    """Retry one sync_state row (failed, review_failed or any): push again even if the payload
    did not change (the last pushed hash is forgotten). Returns the row id."""
    row = (await session.execute(select(SyncState).where(SyncState.id == sync_state_id))
           ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"sync state {sync_state_id}")
    if row.last_pushed_hash != "deactivated":
        await session.execute(update(SyncState).where(SyncState.id == row.id).values(
            last_pushed_hash=None))
    return await state.mark_changed(session, queue, state.EntityKey(
        row.shop_id, row.tiktok_shop_id, row.kind, row.entity_id, row.direction))


async def activate_template(db: Database, queue: JobQueue, template_id: int) -> int:
    """Activate a category template and defer a push of every Not-synced product that an
    active template now claims (new products follow through the products/create webhook).
    Returns how many products were marked. Called by the Templates API and the demo's
    bootstrap, outside any transaction: the template is activated in a write of its own, the
    products it takes are read without the write lock, then marked in batches
    (bulk_mark.mark_in_batches). A crash part-way leaves the rest Not synced: activating again,
    or Sync on the Products page, queues them."""
    async with db.unit_of_work() as session:
        tts_id = (await session.execute(select(CategoryTemplate.tiktok_shop_id).where(
            CategoryTemplate.id == template_id))).scalar_one_or_none()
        if tts_id is None:
            raise NotFound(f"template {template_id}")
        await session.execute(update(CategoryTemplate).where(
            CategoryTemplate.id == template_id).values(active=True, updated_at=utcnow()))
    async with db.sessionmaker() as session:
        tts = await _tiktok_shop(session, tts_id)
        conn = await loading.connection(session, tts)
        keys = [state.EntityKey(tts.shop_id, tts.id, PRODUCT, snap.id, TO_TIKTOK)
                for snap in await _not_synced(session, tts) if claimed(snap, conn)]
    return await mark_in_batches(db, queue, keys)


async def deactivate_template(session: AsyncSession, template_id: int) -> None:
    """Stop auto-syncing new products with this template (listed products stay listed)."""
    await session.execute(update(CategoryTemplate).where(CategoryTemplate.id == template_id)
                          .values(active=False, updated_at=utcnow()))


async def template_preview(session: AsyncSession, tiktok_shop_id: int) -> SelectionPreview:
    """Which template (active or not) takes which not-deleted product of the connection."""
    tts = await _tiktok_shop(session, tiktok_shop_id)
    conn = await loading.connection(session, tts, active_only=False)
    return preview(await loading.shop_snapshots(session, tts.shop_id), conn.templates)


async def shop_readiness(services: Services, tiktok_shop: TikTokShop) -> Readiness:
    """Check Listing Prerequisites → each item with what to set up in Seller Center.
    Network only (call it outside any transaction)."""
    async with tiktok_errors():
        got = await services.tiktok.categories.get_listing_prerequisites(
            tiktok_context(tiktok_shop))
    items = tuple(ReadinessItem(c.check_item, not c.is_failed, tuple(c.fail_reasons),
                                None if not c.is_failed else PREREQUISITE_FIXES.get(
                                    c.check_item, "Fix “" + c.check_item + "” in Seller Center."))
                  for c in got.check_results)
    return Readiness(all(i.ok for i in items), items)


async def recommended_category(services: Services, tiktok_shop: TikTokShop,
                               product: ProductSnapshot, *, limit: int = 5
                               ) -> list[CategoryCandidate]:
    """Ranked TikTok leaf categories for a product (its Shopify type, category and title),
    from the connection's category tree (fetched once per process, cached an hour)."""
    async with tiktok_errors():
        tree = await reference.categories(services.tiktok, tiktok_context(tiktok_shop),
                                          tiktok_shop.id)
    return recommend_categories(product, tree, limit=limit,
                                allow_invite_only=tiktok_shop.region.upper() == "US")


async def preflight_product(services: Services, tiktok_shop: TikTokShop,
                            product: ProductSnapshot, template: TemplateSpec,
                            prefs: ProductPrefs | None = None) -> list[FieldError]:
    """Everything TikTok would refuse in this product under this template, field by field
    with how to fix it (the manual-sync form shows these; nothing is sent). Reads the
    category's attributes and rules (cached) and, when `prefs` set no warehouse, the shop's
    default one. Network only (call it outside any transaction)."""
    prefs = prefs or ProductPrefs()
    region = region_rules(tiktok_shop.region)
    shop, client = tiktok_context(tiktok_shop), services.tiktok
    version = template.category_version or region.category_version
    async with tiktok_errors():
        attrs = await reference.category_attributes(client, shop, tiktok_shop.id,
                                                    template.category_id, version)
        rules = await reference.category_rules(client, shop, tiktok_shop.id,
                                               template.category_id, version)
        if not (prefs.warehouse_map or prefs.default_warehouse_id):
            warehouse = await reference.default_sales_warehouse(client, shop, tiktok_shop.id)
            prefs = replace(prefs, default_warehouse_id=warehouse)
    return validate(product, template, prefs, region, attrs, rules)


async def product_snapshot(session: AsyncSession, shop_id: int,
                           product_id: str) -> ProductSnapshot:
    """A mirrored product as the pure core sees it (for `recommended_category`, previews)."""
    rows = await loading.product_rows(session, shop_id, product_id)
    if rows is None:
        raise NotFound(f"product {product_id}")
    return snapshot(rows, await loading.shop_currency(session, shop_id))


async def _tiktok_shop(session: AsyncSession, tiktok_shop_id: int) -> TikTokShop:
    tts = (await session.execute(select(TikTokShop).where(TikTokShop.id == tiktok_shop_id))
           ).scalar_one_or_none()
    if tts is None:
        raise NotFound(f"TikTok shop {tiktok_shop_id}")
    return tts


async def _not_synced(session: AsyncSession, tts: TikTokShop) -> list[ProductSnapshot]:
    """Products of the shop with no product sync row for this connection, or `not_synced`."""
    touched = set((await session.execute(select(SyncState.entity_id).where(
        SyncState.tiktok_shop_id == tts.id, SyncState.kind == PRODUCT,
        SyncState.direction == TO_TIKTOK, SyncState.status != state.NOT_SYNCED))).scalars())
    return [p for p in await loading.shop_snapshots(session, tts.shop_id) if p.id not in touched]
