"""Product detail page: what TikTok will receive (`…/products/{id}/preview`) and the product's
sync history (`…/products/{id}/history`).

The preview runs the real mapping and pre-flight (`sync.products.preview`) with the product's
template (and manual-sync override) and the connection's price and inventory rules; nothing is
written to TikTok. TikTok's category data and warehouses are read (cached); when TikTok cannot
be reached the preview still answers, with `tiktok_error` and the product-only checks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import ActivityLog, ProductLink, ShopifyProduct, SyncState, TikTokShop
from ecomsend.integrations.tiktok.models.catalog import Attribute, CategoryRules
from ecomsend.sync import state
from ecomsend.sync.links.overrides import effective_template, overrides_from_settings
from ecomsend.sync.listing.ids import AUDIT, PRODUCT, TO_TIKTOK
from ecomsend.sync.products import detail_preview as mapping_preview
from ecomsend.sync.products.converters import prefs_from_settings
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import ProductPrefs, TemplateSpec
from ecomsend.web.api_common import (
    TIKTOK_RESPONSES,
    ConnectionDep,
    FieldErrorOut,
    field_errors_out,
    shop_currency,
)
from ecomsend.web.api_pricing import with_markets
from ecomsend.web.api_products_sync import resolved_prefs
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep
from ecomsend.web.deps import DbDep, ServicesDep
from ecomsend.web.product_queries import (
    full_snapshot,
    matching_template,
    owned_product,
    product_settings,
    templates_of,
)

router = APIRouter(prefix="/api/connections/{connection_id}/products", tags=["products"],
                   responses=TIKTOK_RESPONSES)
ProductId = Annotated[int, Path(ge=1, le=2**53)]


class ProductVariantPreviewOut(BaseModel):
    id: str
    title: str
    sku: str | None
    shopify_price: str
    #: After the price rule, in `currency`; null when it cannot be computed (see price_error).
    price: str | None
    list_price: str | None
    shopify_stock: int
    #: After the inventory rule, summed over the TikTok warehouses.
    stock: int
    warehouses: dict[str, int]
    #: Where `price` starts from: `store_currency` (the Shopify price as it is),
    #: `shopify_markets` (the merchant's Markets price for the region, `market_price`) or
    #: `exchange_rate` (the Shopify price × the typed rate: the fallback).
    price_source: Literal["store_currency", "shopify_markets", "exchange_rate"]
    #: The Shopify Markets price in `currency` when that is the source.
    market_price: str | None


class ProductAuditOut(BaseModel):
    """TikTok's review of the listing: not listed yet, in review, failed (with reasons), or
    no problem reported."""

    status: Literal["not_listed", "in_review", "failed", "no_problems"]
    reasons: list[FieldErrorOut]


class ProductPreviewOut(BaseModel):
    product_id: int
    #: Where the category comes from: a template, the manual-sync settings, or nowhere yet.
    source: Literal["template", "override", "none"]
    template_id: int | None
    template_name: str | None
    category_id: str | None
    category_name: str | None
    title: str
    description_html: str
    images: list[str]
    currency: str
    package_weight: str | None
    variants: list[ProductVariantPreviewOut]
    problems: list[FieldErrorOut]
    price_error: str | None
    #: TikTok could not be asked for the category data or warehouses (checks are partial).
    tiktok_error: str | None
    audit: ProductAuditOut


class ProductHistoryItem(BaseModel):
    id: int
    created_at: datetime
    kind: str
    direction: str | None
    status: str
    message: str | None
    field_errors: list[FieldErrorOut]


class ProductHistoryPage(BaseModel):
    items: list[ProductHistoryItem]
    total: int
    page: int
    page_size: int


def _money(value: Any) -> str | None:
    return None if value is None else format(value, "f")


async def _category_data(reference: ReferenceData, connection: TikTokShop,
                         spec: TemplateSpec | None, prefs: ProductPrefs,
                         ) -> tuple[ProductPrefs, list[Attribute] | None, CategoryRules | None,
                                    str | None]:
    """Prefs with the default warehouse, and the category's attributes and rules (cached TikTok
    reads); TikTok trouble gives what was read so far and the reason."""
    attrs = rules = None
    try:
        prefs = await resolved_prefs(reference, connection, prefs)
        if spec is not None and spec.category_id:
            attrs = await reference.attributes(connection, spec.category_id)
            rules = await reference.rules(connection, spec.category_id)
    except HTTPException as exc:
        return prefs, None, None, str(exc.detail)
    return prefs, attrs, rules, None


async def _audit(session: AsyncSession, connection: TikTokShop, gid: str,
                 product_row: SyncState | None) -> ProductAuditOut:
    """The review state from the product's sync row and its pending audit check."""
    if product_row is not None and product_row.status == state.REVIEW_FAILED:
        err = product_row.last_error or {}
        reasons = field_errors_out(err.get("field_errors") or []) or [
            FieldErrorOut(field="review", message=str(err.get("message") or "Refused"))]
        return ProductAuditOut(status="failed", reasons=reasons)
    tiktok_id = (await session.execute(select(ProductLink.tiktok_product_id).where(
        ProductLink.tiktok_shop_id == connection.id, ProductLink.shopify_product_id == gid)
        .limit(1))).scalar_one_or_none()
    if tiktok_id is None:
        return ProductAuditOut(status="not_listed", reasons=[])
    checking = (await session.execute(select(SyncState.status).where(
        SyncState.tiktok_shop_id == connection.id, SyncState.kind == AUDIT,
        SyncState.entity_id == tiktok_id))).scalar_one_or_none()
    busy = checking in (state.PENDING, state.RUNNING, state.BACKOFF)
    return ProductAuditOut(status="in_review" if busy else "no_problems", reasons=[])


@router.get("/{product_id}/preview", response_model=ProductPreviewOut,
            summary="What TikTok would receive (prices and stock after the rules) and every "
                    "problem with its fix; nothing is sent")
async def preview_product(db: DbDep, services: ServicesDep, connection: ConnectionDep,
                          reference: ReferenceDep, product_id: ProductId) -> ProductPreviewOut:
    currency = await shop_currency(db, connection.shop_id)
    async with db.sessionmaker() as session:
        product = await owned_product(session, connection, product_id)
        snapshot, _ = await full_snapshot(session, product, currency)
        template = matching_template(snapshot, await templates_of(session, connection.id))
        settings = await product_settings(session, connection.id)
        row = (await session.execute(select(SyncState).where(
            SyncState.tiktok_shop_id == connection.id, SyncState.kind == PRODUCT,
            SyncState.direction == TO_TIKTOK, SyncState.entity_id == product.shopify_id))
        ).scalar_one_or_none()
        audit = await _audit(session, connection, product.shopify_id, row)
    snapshot = await with_markets(db, services, connection, snapshot)
    override = overrides_from_settings(settings).get(product.shopify_id)
    spec = effective_template(template, override, connection.region)
    prefs = prefs_from_settings(settings)
    if connection.seller_type in ("LOCAL", "CROSS_BORDER"):
        prefs = replace(prefs, seller_type=connection.seller_type)  # type: ignore[arg-type]
    prefs, attrs, rules, tiktok_error = await _category_data(reference, connection, spec, prefs)
    region = region_rules(connection.region)
    shown = mapping_preview.preview_product(snapshot, spec, prefs, region)
    found = mapping_preview.problems(snapshot, spec, prefs, region, attrs, rules)
    source = "none" if spec is None or not spec.category_id else (
        "override" if override and override.get("category_id") else "template")
    return ProductPreviewOut(
        product_id=product.id, source=source,
        template_id=int(template.id) if template else None,
        template_name=template.name if template else None,
        category_id=spec.category_id if spec else None,
        category_name=spec.category_name if spec else None,
        title=shown.title, description_html=shown.description, images=list(shown.images),
        currency=shown.currency, package_weight=shown.package_weight,
        variants=[ProductVariantPreviewOut(
            id=v.id, title=v.title, sku=v.sku, shopify_price=format(v.shopify_price, "f"),
            price=_money(v.price), list_price=_money(v.list_price), shopify_stock=v.shopify_stock,
            stock=v.total_stock, warehouses=dict(v.stock), price_source=v.price_source.value,
            market_price=_money(v.market_price)) for v in shown.variants],
        problems=field_errors_out(found), price_error=shown.price_error,
        tiktok_error=tiktok_error, audit=audit)


def _history_where(connection: TikTokShop, product: ShopifyProduct) -> list[Any]:
    """The product's activity rows: its pushes here and its (connection-less) webhooks."""
    return [ActivityLog.shop_id == connection.shop_id,
            ActivityLog.entity_id == product.shopify_id,
            or_(ActivityLog.tiktok_shop_id == connection.id,
                ActivityLog.tiktok_shop_id.is_(None))]


@router.get("/{product_id}/history", response_model=ProductHistoryPage,
            summary="The product's sync history (activity log), newest first")
async def product_history(db: DbDep, connection: ConnectionDep, product_id: ProductId,
                          page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          page_size: Annotated[int, Query(ge=1, le=100)] = 20,
                          ) -> ProductHistoryPage:
    async with db.sessionmaker() as session:
        product = await owned_product(session, connection, product_id)
        where = _history_where(connection, product)
        total = (await session.execute(select(func.count()).select_from(ActivityLog)
                                       .where(*where))).scalar_one()
        rows = (await session.execute(select(ActivityLog).where(*where).order_by(
            ActivityLog.created_at.desc(), ActivityLog.id.desc())
            .offset((page - 1) * page_size).limit(page_size))).scalars().all()
    return ProductHistoryPage(items=[ProductHistoryItem(
        id=r.id, created_at=r.created_at, kind=r.kind, direction=r.direction, status=r.status,
        message=r.message, field_errors=field_errors_out((r.error or {}).get("field_errors")
                                                         or [])) for r in rows],
        total=int(total), page=page, page_size=page_size)
