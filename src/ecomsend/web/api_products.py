"""Products page: list with status badges and filters, detail, recommended category, Retry.

Manual sync (with the required fields) lives in `api_products_sync`. Product ids in paths are
our mirror ids (`shopify_product.id`); a product of another shop is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import ProductLink, ShopifyProduct, ShopifyVariant, SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.sync import state
from ecomsend.sync.links.overrides import effective_template, overrides_from_settings
from ecomsend.sync.listing import commands
from ecomsend.sync.products.converters import prefs_from_settings
from ecomsend.sync.products.recommend import recommend_categories
from ecomsend.sync.products.types import ProductSnapshot, TemplateSpec
from ecomsend.web.api_common import (
    TIKTOK_RESPONSES,
    ConnectionDep,
    FieldErrorOut,
    field_errors_out,
    shop_currency,
)
from ecomsend.web.api_products_sync import Requirements, requirements_for, resolved_prefs
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.product_queries import (
    BADGE_LABELS,
    BADGE_OF_RANK,
    RANKS,
    all_states_by_gid,
    badge_of,
    full_snapshot,
    matching_template,
    owned_product,
    product_settings,
    templates_of,
    worst,
    worst_rank_subquery,
)

router = APIRouter(prefix="/api/connections/{connection_id}/products", tags=["products"],
                   responses=TIKTOK_RESPONSES)
ProductId = Annotated[int, Path(ge=1)]
Badge = Literal["not_synced", "syncing", "synced", "failed", "review_failed"]


class ErrorOut(BaseModel):
    """The last failure in plain words, with field-level reasons when TikTok gave them."""

    message: str
    field_errors: list[FieldErrorOut]


class StatusOut(BaseModel):
    badge: Badge
    label: str
    raw: str
    last_synced_at: datetime | None
    error: ErrorOut | None
    can_retry: bool


class ProductRow(BaseModel):
    id: int
    shopify_id: str
    title: str
    vendor: str | None
    product_type: str | None
    #: ACTIVE, DRAFT or ARCHIVED in Shopify (only active products are listed on TikTok).
    shopify_status: str
    image_url: str | None
    variants: int
    status: StatusOut
    tiktok_product_id: str | None


class PauseOut(BaseModel):
    """TikTok's new-shop upload limit paused auto listing; it resumes by itself."""

    until: datetime
    reason: str | None


class ProductPage(BaseModel):
    items: list[ProductRow]
    total: int
    page: int
    page_size: int
    listing_paused: PauseOut | None = None


class FiltersOut(BaseModel):
    product_types: list[str]
    vendors: list[str]
    statuses: dict[str, int]


class VariantOut(BaseModel):
    id: int
    shopify_id: str
    title: str | None
    sku: str | None
    barcode: str | None
    price: str
    compare_at_price: str | None
    available: int
    options: list[dict[str, str]]
    tiktok_sku_id: str | None


class CandidateOut(BaseModel):
    category_id: str
    name: str
    path: list[str]
    score: float


class ProductDetail(ProductRow):
    body_html: str | None
    tags: list[str]
    images: list[str]
    variant_list: list[VariantOut]
    template_id: int | None
    template_name: str | None
    override: dict[str, Any] | None
    requirements: Requirements | None
    #: When no template or override gives a category yet: the best TikTok categories.
    recommended_categories: list[CandidateOut]
    requirements_error: str | None


def status_out(row: SyncState | None) -> StatusOut:
    raw = row.status if row is not None else state.NOT_SYNCED
    badge = badge_of(raw)
    error = None
    if row is not None and row.last_error and badge != "synced":
        err = row.last_error
        error = ErrorOut(message=str(err.get("message") or err.get("kind") or "Sync failed"),
                         field_errors=field_errors_out(err.get("field_errors") or []))
    return StatusOut(badge=badge, label=BADGE_LABELS[badge], raw=raw,
                     last_synced_at=row.last_synced_at if row else None, error=error,
                     can_retry=raw in (state.FAILED, state.REVIEW_FAILED, state.BACKOFF))


def _rank(sub: Any) -> Any:
    """The product's badge rank (no row → 0); a literal, so GROUP BY matches on PostgreSQL."""
    return func.coalesce(sub.c.rank, literal_column("0"))


def _filters(connection: TikTokShop, sub: Any, status: Badge | None, product_type: str | None,
             vendor: str | None, q: str | None) -> list[Any]:
    where: list[Any] = [ShopifyProduct.shop_id == connection.shop_id,
                        ShopifyProduct.deleted_at.is_(None)]
    if status is not None:
        where.append(_rank(sub) == RANKS[status])
    if product_type:
        where.append(ShopifyProduct.product_type == product_type)
    if vendor:
        where.append(ShopifyProduct.vendor == vendor)
    if q:
        needle = f"%{q.strip().lower()}%"
        sku_hit = select(ShopifyVariant.id).where(
            ShopifyVariant.product_id == ShopifyProduct.id,
            func.lower(ShopifyVariant.sku).like(needle)).exists()
        where.append(or_(func.lower(ShopifyProduct.title).like(needle), sku_hit))
    return where


def _joined(sub: Any, *columns: Any) -> Any:
    """Products joined to their worst sync row's rank (none → Not synced)."""
    return select(*columns).select_from(ShopifyProduct).outerjoin(
        sub, sub.c.entity_id == ShopifyProduct.shopify_id)


async def _tiktok_ids(session: AsyncSession, connection: TikTokShop,
                      gids: list[str]) -> dict[str, str]:
    rows = await session.execute(select(ProductLink.shopify_product_id,
                                        ProductLink.tiktok_product_id).where(
        ProductLink.tiktok_shop_id == connection.id, ProductLink.shopify_product_id.in_(gids)))
    return {a: b for a, b in rows.all()}


async def _variant_counts(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    rows = await session.execute(select(ShopifyVariant.product_id, func.count()).where(
        ShopifyVariant.product_id.in_(ids)).group_by(ShopifyVariant.product_id))
    return {int(a): int(b) for a, b in rows.all()}


def _row(p: ShopifyProduct, st: SyncState | None, variants: int,
         tiktok_id: str | None) -> ProductRow:
    image = next((str(i.get("url")) for i in p.images or [] if isinstance(i, dict)
                  and i.get("url")), None)
    return ProductRow(id=p.id, shopify_id=p.shopify_id, title=p.title, vendor=p.vendor,
                      product_type=p.product_type, shopify_status=p.status,
                      image_url=image, variants=variants,
                      status=status_out(st), tiktok_product_id=tiktok_id)


@router.get("", response_model=ProductPage,
            summary="Products with their status badge; filter by status, type, vendor, text")
async def list_products(
        db: DbDep, connection: ConnectionDep, status: Badge | None = None,
        product_type: Annotated[str | None, Query(max_length=255)] = None,
        vendor: Annotated[str | None, Query(max_length=255)] = None,
        q: Annotated[str | None, Query(max_length=255, description="title or SKU")] = None,
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=250)] = 50) -> ProductPage:
    sub = worst_rank_subquery(connection.id)
    where = _filters(connection, sub, status, product_type, vendor, q)
    async with db.sessionmaker() as session:
        total = (await session.execute(_joined(sub, func.count()).where(*where))).scalar_one()
        rows = list((await session.execute(
            _joined(sub, ShopifyProduct).where(*where)
            .order_by(ShopifyProduct.title, ShopifyProduct.id)
            .offset((page - 1) * page_size).limit(page_size))).scalars())
        counts = await _variant_counts(session, [p.id for p in rows])
        gids = [p.shopify_id for p in rows]
        links = await _tiktok_ids(session, connection, gids)
        states = await all_states_by_gid(session, connection.id, gids)
    items = [_row(p, worst(states.get(p.shopify_id, [])), counts.get(p.id, 0),
                  links.get(p.shopify_id)) for p in rows]
    until = connection.listing_paused_until
    paused = (PauseOut(until=until, reason=connection.listing_paused_reason)
              if until is not None and until > utcnow() else None)
    return ProductPage(items=items, total=int(total), page=page, page_size=page_size,
                       listing_paused=paused)


@router.get("/filters", response_model=FiltersOut,
            summary="Values for the filter menus (types, vendors) and count per status")
async def product_filters(db: DbDep, connection: ConnectionDep) -> FiltersOut:
    base = [ShopifyProduct.shop_id == connection.shop_id, ShopifyProduct.deleted_at.is_(None)]
    async with db.sessionmaker() as session:
        types = (await session.execute(select(ShopifyProduct.product_type).where(
            *base, ShopifyProduct.product_type.is_not(None)).distinct())).scalars().all()
        vendors = (await session.execute(select(ShopifyProduct.vendor).where(
            *base, ShopifyProduct.vendor.is_not(None)).distinct())).scalars().all()
        sub = worst_rank_subquery(connection.id)
        raw = (await session.execute(_joined(sub, _rank(sub), func.count())
                                     .where(*base).group_by(_rank(sub)))).all()
    statuses = dict.fromkeys(RANKS, 0)
    for rank, n in raw:
        statuses[BADGE_OF_RANK[int(rank)]] += int(n)
    return FiltersOut(product_types=sorted(t for t in types if t),
                      vendors=sorted(v for v in vendors if v), statuses=statuses)


@router.get("/{product_id}", response_model=ProductDetail,
            summary="One product: variants, status, template, and what its category requires")
async def read_product(db: DbDep, connection: ConnectionDep, reference: ReferenceDep,
                       product_id: ProductId) -> ProductDetail:
    currency = await shop_currency(db, connection.shop_id)
    async with db.sessionmaker() as session:
        product = await owned_product(session, connection, product_id)
        snapshot, variants = await full_snapshot(session, product, currency)
        st = worst((await all_states_by_gid(session, connection.id, [product.shopify_id])).get(
            product.shopify_id, []))
        template = matching_template(snapshot, await templates_of(session, connection.id))
        settings = await product_settings(session, connection.id)
        override = overrides_from_settings(settings).get(product.shopify_id)
        skus = dict((await session.execute(select(ProductLink.shopify_variant_id,
                                                  ProductLink.tiktok_sku_id).where(
            ProductLink.tiktok_shop_id == connection.id,
            ProductLink.shopify_product_id == product.shopify_id))).all())
        links = await _tiktok_ids(session, connection, [product.shopify_id])
    spec = effective_template(template, override, connection.region)
    requirements, recommended, problem = await _category_help(reference, connection, snapshot,
                                                              spec, settings)
    stock = {v.id: sum(q for _, q in v.stock) for v in snapshot.variants}
    base = _row(product, st, len(variants), links.get(product.shopify_id))
    return ProductDetail(
        **base.model_dump(), body_html=product.body_html, tags=list(product.tags or []),
        images=[i.url for i in snapshot.images],
        variant_list=[VariantOut(
            id=v.id, shopify_id=v.shopify_id, title=v.title, sku=v.sku, barcode=v.barcode,
            price=str(v.price), compare_at_price=None if v.compare_at_price is None
            else str(v.compare_at_price), available=stock.get(v.shopify_id, 0),
            options=list(v.selected_options or []), tiktok_sku_id=skus.get(v.shopify_id))
            for v in variants],
        template_id=int(template.id) if template else None,
        template_name=template.name if template else None, override=override,
        requirements=requirements, recommended_categories=recommended,
        requirements_error=problem)


async def _category_help(reference: ReferenceData, connection: TikTokShop,
                         snapshot: ProductSnapshot, spec: TemplateSpec | None,
                         settings: dict[str, Any],
                         ) -> tuple[Requirements | None, list[CandidateOut], str | None]:
    """What the product's category requires, or (no category yet) recommended categories.
    A TikTok outage leaves the rest of the detail readable (`requirements_error`)."""
    try:
        if spec is not None and spec.category_id:
            prefs = await resolved_prefs(reference, connection, prefs_from_settings(settings))
            return (await requirements_for(reference, connection, snapshot, spec, prefs), [],
                    None)
        return None, await _recommend(reference, connection, snapshot, 3), None
    except HTTPException as exc:
        return None, [], str(exc.detail)


async def _recommend(reference: ReferenceData, connection: TikTokShop,
                     snapshot: ProductSnapshot, limit: int) -> list[CandidateOut]:
    tree = await reference.categories(connection)
    found = recommend_categories(snapshot, tree, limit=limit,
                                 allow_invite_only=connection.region == "US")
    return [CandidateOut(category_id=c.category_id, name=c.name, path=list(c.path),
                         score=c.score) for c in found]


@router.get("/{product_id}/recommended-categories", response_model=list[CandidateOut],
            summary="Recommended TikTok categories from product type, Shopify category, title")
async def recommended_categories(db: DbDep, connection: ConnectionDep, reference: ReferenceDep,
                                 product_id: ProductId,
                                 limit: Annotated[int, Query(ge=1, le=20)] = 5,
                                 ) -> list[CandidateOut]:
    async with db.sessionmaker() as session:
        product = await owned_product(session, connection, product_id)
        snapshot, _ = await full_snapshot(session, product, "USD")
    return await _recommend(reference, connection, snapshot, limit)


class RetryOut(BaseModel):
    product_id: int
    #: Every failed row of the product (product, price or inventory push) is retried.
    sync_state_ids: list[int]
    status: StatusOut


@router.post("/{product_id}/retry", response_model=RetryOut,
             summary="Retry a failed product (Sync failed, Review failed or waiting to retry)")
async def retry_product(db: DbDep, queue: QueueDep, connection: ConnectionDep,
                        product_id: ProductId) -> RetryOut:
    async with db.unit_of_work() as session:
        product = await owned_product(session, connection, product_id)
        rows = (await all_states_by_gid(session, connection.id, [product.shopify_id])).get(
            product.shopify_id, [])
        failed = [r for r in rows if status_out(r).can_retry]
        if not failed:
            raise HTTPException(409, "Nothing to retry: the product has not failed.")
        ids = [await commands.retry(session, queue, r.id) for r in failed]
        for row in rows:
            await session.refresh(row)
    return RetryOut(product_id=product_id, sync_state_ids=ids, status=status_out(worst(rows)))
