"""Products page: list with status badges and filters, detail, recommended category, Retry.

Manual sync (with the required fields) lives in `api_products_sync`. Product ids in paths are
our mirror ids (`shopify_product.id`); a product of another shop is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import (
    CategoryTemplate,
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    SyncState,
    TikTokShop,
)
from ecomsend.db.types import utcnow
from ecomsend.sync import state
from ecomsend.sync.links.overrides import effective_template, overrides_from_settings
from ecomsend.sync.products.converters import prefs_from_settings
from ecomsend.sync.products.recommend import recommend_categories
from ecomsend.sync.products.types import ProductSnapshot, TemplateSpec
from ecomsend.web.api_common import (
    MAX_ID,
    TIKTOK_RESPONSES,
    ConnectionDep,
    FieldErrorOut,
    field_errors_out,
    shop_currency,
)
from ecomsend.web.api_products_sync import Requirements, requirements_for, resolved_prefs
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep
from ecomsend.web.deps import DbDep
from ecomsend.web.product_list import (
    ACTIVE,
    Badge,
    SortKey,
    badge_clause,
    collection_clause,
    collection_titles,
    collections_of,
    excluded_clause,
    excluded_ids,
    joined,
    needs_status,
    rank_of,
    selection_snapshot,
    sort_order,
    status_subquery,
    template_clause,
    template_of,
    text_clause,
)
from ecomsend.web.product_queries import (
    BADGE_LABELS,
    BADGE_OF_RANK,
    all_states_by_gid,
    badge_of,
    full_snapshot,
    matching_template,
    owned_product,
    product_settings,
    templates_of,
    worst,
)

router = APIRouter(prefix="/api/connections/{connection_id}/products", tags=["products"],
                   responses=TIKTOK_RESPONSES)
ProductId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: The text filters: at most 255 characters, no control characters (NUL bytes are a 422).
FilterText = Annotated[str | None, Query(max_length=255, pattern=r"^[^\x00-\x1f]*$")]


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
    #: Excluded from this connection: never synced automatically (Exclude / Include).
    excluded: bool = False
    #: The category template a push uses for it (an active one first), if any.
    template_id: int | None = None
    template_name: str | None = None


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


class FilterOptionOut(BaseModel):
    value: str
    label: str


class FiltersOut(BaseModel):
    product_types: list[str]
    vendors: list[str]
    #: Products per badge (every badge present, zeros included).
    statuses: dict[str, int]
    templates: list[FilterOptionOut]
    collections: list[FilterOptionOut]
    excluded: int


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
    collections: list[FilterOptionOut]
    images: list[str]
    variant_list: list[VariantOut]
    override: dict[str, Any] | None
    requirements: Requirements | None
    #: When no template or override gives a category yet: the best TikTok categories.
    recommended_categories: list[CandidateOut]
    requirements_error: str | None


def status_out(row: SyncState | None, shopify_status: str = ACTIVE) -> StatusOut:
    """The badge of a product's worst sync row; never synced and not active: Not listable."""
    raw = row.status if row is not None else state.NOT_SYNCED
    badge = badge_of(raw)
    if badge == "not_synced" and shopify_status.upper() != ACTIVE:
        badge = "not_listable"
    error = None
    if row is not None and row.last_error and badge != "synced":
        err = row.last_error
        error = ErrorOut(message=str(err.get("message") or err.get("kind") or "Sync failed"),
                         field_errors=field_errors_out(err.get("field_errors") or []))
    return StatusOut(badge=badge, label=BADGE_LABELS[badge], raw=raw,
                     last_synced_at=row.last_synced_at if row else None, error=error,
                     can_retry=raw in (state.FAILED, state.REVIEW_FAILED, state.BACKOFF))


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


def _row(p: ShopifyProduct, st: SyncState | None, variants: int, tiktok_id: str | None,
         excluded: bool = False, template: CategoryTemplate | None = None) -> ProductRow:
    image = next((str(i.get("url")) for i in p.images or [] if isinstance(i, dict)
                  and i.get("url")), None)
    return ProductRow(id=p.id, shopify_id=p.shopify_id, title=p.title, vendor=p.vendor,
                      product_type=p.product_type, shopify_status=p.status,
                      image_url=image, variants=variants,
                      status=status_out(st, p.status), tiktok_product_id=tiktok_id,
                      excluded=excluded, template_id=template.id if template else None,
                      template_name=template.name if template else None)


class ListQuery(BaseModel):
    """The list's filters (all optional, combined with AND)."""

    status: Badge | None = None
    product_type: str | None = None
    vendor: str | None = None
    collection: str | None = None
    template: str | None = None
    excluded: bool | None = None
    q: str | None = None


async def _where(session: AsyncSession, connection: TikTokShop, sub: Any,
                 f: ListQuery) -> list[Any]:
    where: list[Any] = [ShopifyProduct.shop_id == connection.shop_id,
                        ShopifyProduct.deleted_at.is_(None)]
    if f.status is not None:
        where.append(badge_clause(sub, f.status))
    if f.product_type:
        where.append(ShopifyProduct.product_type == f.product_type)
    if f.vendor:
        where.append(ShopifyProduct.vendor == f.vendor)
    if f.collection:
        where.append(collection_clause(f.collection))
    if f.excluded is not None:
        clause = excluded_clause(connection.id)
        where.append(clause if f.excluded else ~clause)
    if f.q and f.q.strip():
        where.append(text_clause(f.q))
    if f.template:
        where.append(await template_clause(session, connection, f.template))
    return where


async def _rows(session: AsyncSession, connection: TikTokShop,
                products: list[ShopifyProduct]) -> list[ProductRow]:
    """The page's rows: counts, links, states, exclusions, templates in five reads."""
    counts = await _variant_counts(session, [p.id for p in products])
    gids = [p.shopify_id for p in products]
    links = await _tiktok_ids(session, connection, gids)
    states = await all_states_by_gid(session, connection.id, gids)
    excluded = await excluded_ids(session, connection.id, [p.id for p in products])
    templates = template_of((selection_snapshot(p) for p in products),
                            await templates_of(session, connection.id))
    return [_row(p, worst(states.get(p.shopify_id, [])), counts.get(p.id, 0),
                 links.get(p.shopify_id), p.id in excluded, templates.get(p.shopify_id))
            for p in products]


@router.get("", response_model=ProductPage,
            summary="Products with their status badge; filter, search, sort, paginate")
async def list_products(
        db: DbDep, connection: ConnectionDep, status: Badge | None = None,
        product_type: FilterText = None, vendor: FilterText = None,
        collection: Annotated[str | None, Query(
            max_length=64, pattern=r"^gid://shopify/Collection/[0-9]{1,20}$",
            description="collection GID (see /filters)")] = None,
        template: Annotated[str | None, Query(
            pattern=r"^(none|[1-9][0-9]{0,9})$",
            description="category template id, or `none`")] = None,
        excluded: bool | None = None,
        q: Annotated[str | None, Query(max_length=255, pattern=r"^[^\x00-\x1f]*$",
                                       description="title or SKU")] = None,
        sort: SortKey = "title",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=250)] = 50) -> ProductPage:
    sub = status_subquery(connection.id)
    filters = ListQuery(status=status, product_type=product_type, vendor=vendor,
                        collection=collection, template=template, excluded=excluded, q=q)
    async with db.sessionmaker() as session:
        where = await _where(session, connection, sub, filters)
        with_status = needs_status(status, sort)
        total = (await session.execute(joined(sub, func.count(), with_status=with_status)
                                       .where(*where))).scalar_one()
        products = list((await session.execute(
            joined(sub, ShopifyProduct, with_status=with_status).where(*where)
            .order_by(*sort_order(sub, sort))
            .offset((page - 1) * page_size).limit(page_size))).scalars())
        items = await _rows(session, connection, products)
    until = connection.listing_paused_until
    paused = (PauseOut(until=until, reason=connection.listing_paused_reason)
              if until is not None and until > utcnow() else None)
    return ProductPage(items=items, total=int(total), page=page, page_size=page_size,
                       listing_paused=paused)


@router.get("/filters", response_model=FiltersOut,
            summary="Values for the filter menus and the number of products per status")
async def product_filters(db: DbDep, connection: ConnectionDep) -> FiltersOut:
    base = [ShopifyProduct.shop_id == connection.shop_id, ShopifyProduct.deleted_at.is_(None)]
    async with db.sessionmaker() as session:
        types = (await session.execute(select(ShopifyProduct.product_type).where(
            *base, ShopifyProduct.product_type.is_not(None)).distinct())).scalars().all()
        vendors = (await session.execute(select(ShopifyProduct.vendor).where(
            *base, ShopifyProduct.vendor.is_not(None)).distinct())).scalars().all()
        sub = status_subquery(connection.id)
        active = ShopifyProduct.status == ACTIVE
        raw = (await session.execute(joined(sub, rank_of(sub), active, func.count())
                                     .where(*base).group_by(rank_of(sub), active))).all()
        excluded = (await session.execute(select(func.count()).select_from(ShopifyProduct)
                                          .where(*base, excluded_clause(connection.id)))
                    ).scalar_one()
        templates = await templates_of(session, connection.id)
        collections = await collections_of(session, connection.shop_id)
    statuses = dict.fromkeys(BADGE_LABELS, 0)
    for rank, is_active, n in raw:
        badge = BADGE_OF_RANK[int(rank)]
        if badge == "not_synced" and not is_active:
            badge = "not_listable"
        statuses[badge] += int(n)
    return FiltersOut(
        product_types=sorted(t for t in types if t), vendors=sorted(v for v in vendors if v),
        statuses=statuses, excluded=int(excluded),
        templates=[FilterOptionOut(value=str(t.id), label=t.name) for t in templates],
        collections=[FilterOptionOut(value=g, label=t) for g, t in collections])


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
        excluded = bool(await excluded_ids(session, connection.id, [product.id]))
        titles = await collection_titles(session, connection.shop_id, product.collections or [])
    spec = effective_template(template, override, connection.region)
    requirements, recommended, problem = await _category_help(reference, connection, snapshot,
                                                              spec, settings)
    stock = {v.id: sum(q for _, q in v.stock) for v in snapshot.variants}
    base = _row(product, st, len(variants), links.get(product.shopify_id), excluded)
    return ProductDetail(
        **base.model_dump(exclude={"template_id", "template_name"}),
        body_html=product.body_html, tags=list(product.tags or []),
        collections=[FilterOptionOut(value=g, label=titles.get(g, g))
                     for g in product.collections or []],
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
