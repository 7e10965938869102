"""(`product`, `to_tiktok`): create or edit the listing, or (de)activate it.

Order of a push (DESIGN.md §4.2): template → warehouse → category attributes and rules
(cached) → preflight (any problem: `failed` with field-level reasons, nothing sent) → images
(uploaded once, cached) → map → hash; equal to the last pushed hash → no call. Otherwise
create (links stored per variant, insert-or-nothing on the unique constraints) or edit.
A product archived, drafted, unlisted or deleted in Shopify is deactivated on TikTok, and
activated again when it comes back. Listings linked by the merchant (not created by us) only
receive prices and stock.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import delete

from ecomsend.db.models import ProductLink
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.tiktok.models.products import ProductWriteResult
from ecomsend.sync import intents, state
from ecomsend.sync.errors import FieldError, PushResult, SyncPermanent, SyncRateLimited
from ecomsend.sync.links.overrides import effective_template
from ecomsend.sync.listing import images, pause, reference
from ecomsend.sync.listing.errors import ListingLimitReached, tiktok_errors
from ecomsend.sync.listing.ids import DEACTIVATED, numeric_id
from ecomsend.sync.listing.job import PushJob, load_job, resolved_prefs
from ecomsend.sync.listing.push_stock import push_inventory, push_price, remember_hashes
from ecomsend.sync.listing.targets import listable, not_listable_reason
from ecomsend.sync.products.changes import payload_hash
from ecomsend.sync.products.mapping import map_product
from ecomsend.sync.products.preflight import check_images, validate
from ecomsend.sync.products.selection import select_template
from ecomsend.sync.products.types import ProductPrefs, TemplateSpec, UploadedImage

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import EntityKey, Lease


async def push_product(ctx: TaskContext, lease: Lease) -> PushResult:
    """The (`product`, `to_tiktok`) sync handler."""
    job = await load_job(ctx, lease)
    snap = job.snapshot
    if snap is None:
        return PushResult()
    if not listable(snap):
        if job.links:
            return await _deactivate(job)
        reason = not_listable_reason(snap)
        assert reason is not None
        raise SyncPermanent(reason.message, [reason])  # never "Synced" with nothing on TikTok
    calls = 0
    if job.links and job.row.last_pushed_hash == DEACTIVATED:
        calls += await _activate(job)
    if job.links and all(link.origin == "linked" for link in job.links):
        inv = await push_inventory(ctx, lease)
        price = await push_price(ctx, lease)
        return PushResult(None, calls + inv.api_calls + price.api_calls)
    result = await _upsert(ctx, job)
    return PushResult(result.pushed_hash, calls + result.api_calls)


def choose_template(job: PushJob) -> TemplateSpec:
    """The active template that claims the product (for a manual sync, any that would), with
    the product's manual-sync override (category, attributes, brand, package) on top."""
    assert job.snapshot is not None
    templates = job.conn.templates
    matched = (select_template(job.snapshot, templates)
               or select_template(job.snapshot, templates, active_only=False))
    chosen = effective_template(matched, job.conn.overrides.get(job.snapshot.id),
                                job.conn.tiktok_shop.region)
    if chosen is None:
        raise SyncPermanent("No category template takes this product.", [_no_template()])
    return chosen


def _no_template() -> FieldError:
    return FieldError(
        "category_id", "No category template matches this product and there is no default "
        "template.", "Create a default category template, or one whose rules match it.")


async def _preflight(job: PushJob, template: TemplateSpec, prefs: ProductPrefs) -> None:
    """Reference data (cached) and pure validation; raises `failed` with every problem."""
    assert job.snapshot is not None
    shop, client = job.shop_context(), job.services.tiktok
    version = template.category_version or job.region.category_version
    async with tiktok_errors():
        attrs = await reference.category_attributes(client, shop, job.conn.id,
                                                    template.category_id, version)
        rules = await reference.category_rules(client, shop, job.conn.id,
                                               template.category_id, version)
    problems = validate(job.snapshot, template, prefs, job.region, attrs, rules)
    if problems:
        raise SyncPermanent(f"{len(problems)} problem(s) to fix before listing on TikTok: "
                            + "; ".join(p.message for p in problems), problems)


async def _images(job: PushJob) -> tuple[dict[str, UploadedImage], int]:
    assert job.snapshot is not None and job.rows is not None
    product = job.rows.product
    known = images.cached_from_mirror(product.images or [])
    urls = images.wanted_urls(job.snapshot, job.region.main_images_max)
    uploaded, calls = await images.upload_images(job.services, job.shop_context(), urls, known)
    if calls:
        await images.persist(job.services, product.id, product.updated_at,
                             list(product.images or []), uploaded)
    problems = check_images(job.snapshot, uploaded)
    if problems:
        raise SyncPermanent("Images: " + "; ".join(p.message for p in problems), problems)
    return uploaded, calls


async def _upsert(ctx: TaskContext, job: PushJob) -> PushResult:
    assert job.snapshot is not None
    template = choose_template(job)
    prefs = await resolved_prefs(job)
    await _preflight(job, template, prefs)
    uploaded, calls = await _images(job)
    body = map_product(job.snapshot, template, prefs, job.region, images=uploaded,
                       sku_ids=job.sku_ids(), include_identifier_codes=not job.links)
    digest: str | None = payload_hash(body)
    if digest == job.row.last_pushed_hash:
        return PushResult(None, calls)
    shop, products = job.shop_context(), job.services.tiktok.products
    if job.links:
        async with tiktok_errors():
            result = await products.edit_product(shop, job.links[0].tiktok_product_id, body)
    else:
        await _wait_if_paused(job)
        body.idempotency_key, replay = await _create_intent(job)
        result = await _create(ctx, job, body)
        if replay:
            # An earlier attempt may have created the listing with older content and TikTok
            # answered with it: push again as an edit (no hash kept, so it is not skipped).
            async with ctx.db.unit_of_work() as session:
                await state.mark_changed(session, ctx.queue, job.lease.key)
            digest = None
    sku_ids = await _save_links(job, result)
    await remember_hashes(job, prefs, sku_ids)
    return PushResult(digest, calls + 1)


async def _create_intent(job: PushJob) -> tuple[str, bool]:
    """The idempotency key of this create, committed as a create intent before it is sent
    (sync.intents). A retry after a crash or a lost answer sends the intent's key again, even
    when the product changed meanwhile (a new sync version), so TikTok answers with the
    listing it already made (Create Product doc: `idempotency_key` "prevent[s] duplicate
    processing of the same request… unique within the shop") instead of a second listing.
    Returns (key, whether an earlier attempt may have created the product)."""
    key = job.lease.key
    db = job.services.db
    intent = await intents.load_intent(db, key.tiktok_shop_id, intents.TIKTOK_PRODUCT,
                                       key.entity_id)
    marker = intent.marker if intent is not None else (
        f"ecomsend-{key.tiktok_shop_id}-{numeric_id(key.entity_id)}-v{job.lease.version}-"
        f"{uuid.uuid4().hex[:8]}")
    await intents.record_intent(db, key.tiktok_shop_id, intents.TIKTOK_PRODUCT,
                                key.entity_id, marker)
    return marker, intent is not None


async def _wait_if_paused(job: PushJob) -> None:
    left = pause.paused_for_s(job.conn.tiktok_shop)
    if left > 0:
        raise SyncRateLimited(left, job.conn.tiktok_shop.listing_paused_reason
                              or "Automatic listing is paused.")


async def _create(ctx: TaskContext, job: PushJob, body: object) -> ProductWriteResult:
    """Create Product; a refusal (nothing was created) drops the create intent, so the next
    attempt uses a fresh idempotency key."""
    key = job.lease.key
    try:
        async with tiktok_errors():
            return await job.services.tiktok.products.create_product(
                job.shop_context(), body)  # type: ignore[arg-type]
    except SyncPermanent:
        await _drop_intent(ctx, key)
        raise
    except ListingLimitReached as exc:
        await _drop_intent(ctx, key)
        until = await pause.pause(ctx, job.conn.id, str(exc))
        raise SyncRateLimited(max(1.0, (until - utcnow()).total_seconds()),
                              pause.pause_message(until, str(exc))) from exc


async def _drop_intent(ctx: TaskContext, key: EntityKey) -> None:
    async with ctx.db.unit_of_work() as session:
        await intents.clear_intent(session, key.tiktok_shop_id, intents.TIKTOK_PRODUCT,
                                   key.entity_id)


async def _save_links(job: PushJob, result: ProductWriteResult) -> dict[str, str]:
    """Store variant ↔ SKU links from a create/edit answer; drop links of removed variants."""
    assert job.snapshot is not None
    key, variants = job.lease.key, job.snapshot.sorted_variants
    by_variant: dict[str, str] = {}
    for i, sku in enumerate(result.skus):
        variant_id = sku.external_sku_id or (variants[i].id if i < len(variants) else None)
        if variant_id:
            by_variant[str(variant_id)] = str(sku.id)
    if not by_variant:
        by_variant = job.sku_ids()
    now = utcnow()
    async with job.services.db.unit_of_work() as session:
        for variant_id, sku_id in by_variant.items():
            stmt = dialect_insert(session, ProductLink).values(
                tiktok_shop_id=key.tiktok_shop_id, shopify_product_id=key.entity_id,
                shopify_variant_id=variant_id, tiktok_product_id=str(result.product_id),
                tiktok_sku_id=sku_id, origin="created", created_at=now, updated_at=now)
            await session.execute(stmt.on_conflict_do_nothing())
        await session.execute(delete(ProductLink).where(
            ProductLink.tiktok_shop_id == key.tiktok_shop_id,
            ProductLink.shopify_product_id == key.entity_id,
            ProductLink.shopify_variant_id.not_in(list(by_variant))))
        await intents.clear_intent(session, key.tiktok_shop_id, intents.TIKTOK_PRODUCT,
                                   key.entity_id)
    return by_variant


async def _deactivate(job: PushJob) -> PushResult:
    if job.row.last_pushed_hash == DEACTIVATED:
        return PushResult()
    ids = sorted({link.tiktok_product_id for link in job.links})
    async with tiktok_errors():
        await job.services.tiktok.products.deactivate_products(job.shop_context(), ids)
    return PushResult(DEACTIVATED, 1)


async def _activate(job: PushJob) -> int:
    ids = sorted({link.tiktok_product_id for link in job.links})
    async with tiktok_errors():
        await job.services.tiktok.products.activate_products(job.shop_context(), ids)
    return 1
