"""(`inventory`, `to_tiktok`) and (`price`, `to_tiktok`): the cheap endpoints only.

Each hashes what it would send (`changes.payload_hash` of the update items) and calls nothing
when TikTok already has it (the row's `last_pushed_hash`). A product not on TikTok yet needs
nothing here: its create carries stock and prices. A full create/edit records the hashes of
the stock and prices it carried (`remember_hashes`), so the next no-op change costs no call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from ecomsend.db.models import SyncState
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.sync import state
from ecomsend.sync.errors import PushResult, SyncPermanent, SyncRateLimited
from ecomsend.sync.listing.errors import tiktok_errors
from ecomsend.sync.listing.ids import INVENTORY, PRICE, TO_TIKTOK
from ecomsend.sync.listing.job import PushJob, load_stock_job, resolved_prefs
from ecomsend.sync.listing.targets import listable
from ecomsend.sync.products.changes import payload_hash
from ecomsend.sync.products.mapping import inventory_updates, price_updates
from ecomsend.sync.products.pricing import PricingError
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.types import AutoField, ProductPrefs, ProductSnapshot

#: How long a stock push waits for the create of its listing before looking again.
CREATE_WAIT_S = 0.5

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import TaskContext


def inventory_hash(product: ProductSnapshot, prefs: ProductPrefs,
                   sku_ids: dict[str, str]) -> str:
    return payload_hash(inventory_updates(product, prefs, sku_ids))


def price_hash(product: ProductSnapshot, prefs: ProductPrefs, region: RegionRules,
               sku_ids: dict[str, str]) -> str | None:
    try:
        return payload_hash(price_updates(product, prefs, region, sku_ids))
    except PricingError:
        return None


def _skip(job: PushJob, field: AutoField) -> bool:
    """Nothing to push: not on TikTok, not active, or the merchant turned the field off.
    Not on TikTok *yet* (its create is under way) → wait for the links, then push.

    On TikTok with a full edit of the product under way → wait for it too: the edit carries
    every SKU's price and stock from the mirror as it read it, maybe before the change this
    push carries, and landing after this push it would put the older values back for good
    (the chaos suite's lost price). An edit that starts later reads this change already."""
    snap = job.snapshot
    if snap is None or not listable(snap) or field not in job.conn.prefs.auto_update:
        return True
    status = job.product_status
    if job.links:
        if status == state.RUNNING:
            raise SyncRateLimited(CREATE_WAIT_S, "waiting for the product edit under way")
        return False
    if status in (state.PENDING, state.RUNNING, state.BACKOFF):
        raise SyncRateLimited(CREATE_WAIT_S, "waiting for the listing to be created")
    return True


async def push_inventory(ctx: TaskContext, lease: state.Lease) -> PushResult:
    """Update Inventory per TikTok product the variants are linked to."""
    job = await load_stock_job(ctx, lease, prices=False)  # no price read: no Shopify call
    if _skip(job, AutoField.INVENTORY) or job.snapshot is None:
        return PushResult()
    prefs = await resolved_prefs(job)
    digest = inventory_hash(job.snapshot, prefs, job.sku_ids())
    if digest == job.row.last_pushed_hash:
        return PushResult()
    shop, calls = job.shop_context(), 0
    async with tiktok_errors():
        for product_id, sku_ids in job.links_by_product().items():
            items = inventory_updates(job.snapshot, prefs, sku_ids)
            if items:
                await job.services.tiktok.products.update_inventory(shop, product_id, items)
                calls += 1
    return PushResult(digest, calls)


async def push_price(ctx: TaskContext, lease: state.Lease) -> PushResult:
    """Update Price per TikTok product the variants are linked to."""
    job = await load_stock_job(ctx, lease)
    if _skip(job, AutoField.PRICE) or job.snapshot is None:
        return PushResult()
    prefs, region = job.conn.prefs, job.region
    digest = price_hash(job.snapshot, prefs, region, job.sku_ids())
    if digest is None:
        raise SyncPermanent("The price cannot be converted to the TikTok shop's currency: set "
                            "an exchange rate in Settings → Products.")
    if digest == job.row.last_pushed_hash:
        return PushResult()
    shop, calls = job.shop_context(), 0
    async with tiktok_errors():
        for product_id, sku_ids in job.links_by_product().items():
            items = price_updates(job.snapshot, prefs, region, sku_ids)
            if items:
                await job.services.tiktok.products.update_price(shop, product_id, items)
                calls += 1
    return PushResult(digest, calls)


async def _remember(session: AsyncSession, key: state.EntityKey, digest: str | None) -> None:
    """Set a row's last_pushed_hash (creating it `synced` when absent); a row that is being
    pushed right now keeps its own (it will write what it pushed)."""
    if digest is None:
        return
    now = utcnow()
    stmt = dialect_insert(session, SyncState).values(
        shop_id=key.shop_id, tiktok_shop_id=key.tiktok_shop_id, kind=key.kind,
        entity_id=key.entity_id, direction=key.direction, desired_version=0, synced_version=0,
        status=state.SYNCED, attempts=0, last_pushed_hash=digest, last_synced_at=now,
        created_at=now, updated_at=now)
    await session.execute(stmt.on_conflict_do_nothing())
    await session.execute(update(SyncState).where(
        SyncState.tiktok_shop_id == key.tiktok_shop_id, SyncState.kind == key.kind,
        SyncState.entity_id == key.entity_id, SyncState.direction == key.direction,
        SyncState.lease_owner.is_(None)).values(last_pushed_hash=digest))


async def remember_hashes(job: PushJob, prefs: ProductPrefs, sku_ids: dict[str, str]) -> None:
    """After a create/edit: TikTok now has these prices and stock."""
    if job.snapshot is None:
        return
    key = job.lease.key
    async with job.services.db.unit_of_work() as session:
        for kind, digest in (
                (INVENTORY, inventory_hash(job.snapshot, prefs, sku_ids)),
                (PRICE, price_hash(job.snapshot, prefs, job.region, sku_ids))):
            await _remember(session, state.EntityKey(key.shop_id, key.tiktok_shop_id, kind,
                                                     key.entity_id, TO_TIKTOK), digest)
