"""Manual sync from the Products page: required fields per category, then Sync (one or many).

`GET …/products/{id}/requirements?category_id=` says what the TikTok category needs (from its
attributes and rules for the shop's region) and what is still missing for this product.
`POST …/products/sync` takes the selected products with optional overrides (category,
attributes, brand, package — one for all and/or per product), runs the pre-flight checks, stores
the overrides for the push pipeline and queues each product that passes; the others come back
with their field errors and are not queued.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import ShopifyProduct, TikTokShop
from ecomsend.services import Services
from ecomsend.sync.errors import FieldError
from ecomsend.sync.links.overrides import (
    effective_template,
    overrides_from_settings,
    with_override,
)
from ecomsend.sync.listing import commands
from ecomsend.sync.listing.targets import not_listable_reason
from ecomsend.sync.products.converters import prefs_from_settings
from ecomsend.sync.products.preflight import validate
from ecomsend.sync.products.preflight_attributes import is_required
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import ProductPrefs, ProductSnapshot, TemplateSpec
from ecomsend.web.api_common import (
    TIKTOK_RESPONSES,
    ConnectionDep,
    FieldErrorOut,
    field_errors_out,
    shop_currency,
    unprocessable,
)
from ecomsend.web.api_compliance_models import ComplianceOverrideIn, expired
from ecomsend.web.api_pricing import with_markets_many
from ecomsend.web.api_templates import MAX_ID, AttributeIn, DimensionsIn, Text
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep, ValueOut
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep
from ecomsend.web.product_queries import (
    full_snapshot,
    locked_product_settings,
    matching_template,
    owned_product,
    product_settings,
    save_product_settings,
    templates_of,
)

router = APIRouter(prefix="/api/connections/{connection_id}/products", tags=["products"],
                   responses=TIKTOK_RESPONSES)
MAX_BATCH = 500


class RequiredAttribute(BaseModel):
    id: str
    name: str | None
    required: bool
    multiple: bool
    customizable: bool
    value_format: str | None
    values: list[ValueOut]
    current: list[dict[str, str | None]]


class Requirements(BaseModel):
    """What the category needs, what is set, and what still stops a sync."""

    category_id: str
    category_name: str | None
    attributes: list[RequiredAttribute]
    package_weight_required: bool = True
    package_dimensions_required: bool
    size_chart_required: bool
    certifications_required: list[str]
    brand_id: str | None
    package_weight: str | None
    package_weight_unit: str
    problems: list[FieldErrorOut]


class OverrideIn(ComplianceOverrideIn):
    """Manual-sync values that replace the template's for the selected product(s); with the
    compliance fields (size chart, certifications, EU manufacturer / responsible person)."""

    category_id: Text | None = Field(None, min_length=1, max_length=64, pattern=r"^[0-9]+$")
    category_name: Text | None = Field(None, max_length=512)
    attributes: list[AttributeIn] | None = Field(None, max_length=100)
    brand_id: Text | None = Field(None, max_length=64)
    package_weight: Decimal | None = Field(None, gt=0, le=10000)
    package_weight_unit: Literal["KILOGRAM", "GRAM", "POUND"] | None = None
    package_dimensions: DimensionsIn | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class SyncIn(BaseModel):
    """The selected products; an override sent for a product replaces the one saved for it,
    none sent keeps the saved one."""

    product_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1,
                                                                     max_length=MAX_BATCH)
    #: Applied to every selected product (bulk fill), unless `per_product` has its own.
    override: OverrideIn | None = None
    per_product: dict[int, OverrideIn] = Field(default_factory=dict, max_length=MAX_BATCH)


class SyncResult(BaseModel):
    product_id: int
    queued: bool
    sync_state_id: int | None
    errors: list[FieldErrorOut]


class SyncOut(BaseModel):
    queued: int
    refused: int
    results: list[SyncResult]


async def requirements_for(reference: ReferenceData, connection: TikTokShop,
                           snapshot: ProductSnapshot, spec: TemplateSpec,
                           prefs: ProductPrefs | None = None) -> Requirements:
    """The category's needs for this product under `spec`, with the pre-flight problems."""
    attrs = await reference.attributes(connection, spec.category_id)
    rules = await reference.rules(connection, spec.category_id)
    problems = validate(snapshot, spec, prefs or ProductPrefs(), region_rules(connection.region),
                        attrs, rules)
    chosen = {a.attribute_id: a for a in spec.attributes}
    product_attrs = sorted((a for a in attrs if a.type != "SALES_PROPERTY"),
                           key=lambda a: (not is_required(a, spec), a.name or a.id))
    return Requirements(
        category_id=spec.category_id, category_name=spec.category_name,
        attributes=[RequiredAttribute(
            id=a.id, name=a.name, required=is_required(a, spec), multiple=a.is_multiple_selection,
            customizable=a.is_customizable, value_format=a.value_data_format,
            values=[ValueOut(id=v.id, name=v.name) for v in a.values],
            current=[{"id": v.id, "name": v.name} for v in chosen[a.id].values]
            if a.id in chosen else []) for a in product_attrs],
        package_dimensions_required=bool(rules.package_dimension
                                         and rules.package_dimension.is_required),
        size_chart_required=bool(rules.size_chart and rules.size_chart.is_required),
        certifications_required=[c.name or c.id for c in rules.product_certifications
                                 if c.is_required],
        brand_id=spec.brand_id,
        package_weight=None if spec.package_weight is None else str(spec.package_weight),
        package_weight_unit=spec.package_weight_unit, problems=field_errors_out(problems))


@router.get("/{product_id}/requirements", response_model=Requirements,
            summary="What a TikTok category requires for this product, and what is missing")
async def product_requirements(db: DbDep, connection: ConnectionDep, reference: ReferenceDep,
                               product_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                               category_id: Annotated[str | None, Query(
                                   max_length=64, pattern=r"^[0-9]+$")] = None,
                               ) -> Requirements:
    """Without `category_id`: the category of the product's template / saved override."""
    currency = await shop_currency(db, connection.shop_id)
    async with db.sessionmaker() as session:
        product = await owned_product(session, connection, product_id)
        snapshot, _ = await full_snapshot(session, product, currency)
        settings = await product_settings(session, connection.id)
        template = matching_template(snapshot, await templates_of(session, connection.id))
    override = dict(overrides_from_settings(settings).get(product.shopify_id) or {})
    if category_id and category_id != override.get("category_id"):
        # Another category: its own attributes; brand and package carry over.
        override = {**{k: v for k, v in override.items()
                       if k not in ("attributes", "category_name")}, "category_id": category_id}
    spec = effective_template(template, override, connection.region)
    if spec is None or not spec.category_id:
        raise HTTPException(404, "No category yet: no active template takes this product; pass "
                                 "category_id (see recommended-categories).")
    prefs = await resolved_prefs(reference, connection, prefs_from_settings(settings))
    return await requirements_for(reference, connection, snapshot, spec, prefs)


async def resolved_prefs(reference: ReferenceData, connection: TikTokShop,
                         prefs: ProductPrefs) -> ProductPrefs:
    """With no warehouse chosen, the shop's default sales warehouse (as the push does)."""
    if prefs.warehouse_map or prefs.default_warehouse_id:
        return prefs
    sales = [w for w in await reference.warehouses(connection) if w.is_sales]
    chosen = next((w for w in sales if w.is_default), sales[0] if sales else None)
    return replace(prefs, default_warehouse_id=chosen.id) if chosen else prefs


def _no_category() -> FieldError:
    return FieldError("category_id", "No active category template takes this product, and no "
                      "category was chosen for it.", "Choose a TikTok category (see the "
                      "recommended ones), or activate a default template.")


async def _check_one(reference: ReferenceData, connection: TikTokShop,
                     snapshot: ProductSnapshot, spec: TemplateSpec | None,
                     prefs: ProductPrefs) -> list[FieldError]:
    if spec is None or not spec.category_id:
        return [_no_category()]
    req_attrs = await reference.attributes(connection, spec.category_id)
    rules = await reference.rules(connection, spec.category_id)
    return validate(snapshot, spec, prefs, region_rules(connection.region), req_attrs, rules)


async def _load(db: DbDep, connection: TikTokShop, ids: list[int]) -> list[ShopifyProduct]:
    async with db.sessionmaker() as session:
        rows = list((await session.execute(select(ShopifyProduct).where(
            ShopifyProduct.id.in_(ids), ShopifyProduct.shop_id == connection.shop_id,
            ShopifyProduct.deleted_at.is_(None)))).scalars())
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise HTTPException(404, f"No such product(s) in this shop: {missing}")
    return sorted(rows, key=lambda r: ids.index(r.id))


async def _evaluate(db: DbDep, services: Services, connection: TikTokShop,
                    reference: ReferenceData, body: SyncIn,
                    ) -> tuple[list[ShopifyProduct], list[SyncResult],
                               dict[str, dict[str, Any] | None]]:
    """Run the real pre-flight for every selected product with the body's overrides (or the
    saved ones): the results, and the override of each product that passed (by GID)."""
    ids = list(dict.fromkeys(body.product_ids))
    products = await _load(db, connection, ids)
    currency = await shop_currency(db, connection.shop_id)
    async with db.sessionmaker() as session:
        settings = await product_settings(session, connection.id)
        templates = await templates_of(session, connection.id)
        snapshots = [(p, (await full_snapshot(session, p, currency))[0]) for p in products]
    priced = await with_markets_many(db, services, connection, [s for _, s in snapshots])
    snapshots = list(zip(products, priced, strict=True))
    prefs = await resolved_prefs(reference, connection, prefs_from_settings(settings))
    stored = overrides_from_settings(settings)
    results: list[SyncResult] = []
    accepted: dict[str, dict[str, Any] | None] = {}
    for product, snapshot in snapshots:
        chosen = body.per_product.get(product.id) or body.override
        override = chosen.stored() if chosen else stored.get(product.shopify_id)
        spec = effective_template(matching_template(snapshot, templates), override,
                                  connection.region)
        inactive = not_listable_reason(snapshot)
        errors = ([inactive] if inactive is not None
                  else await _check_one(reference, connection, snapshot, spec, prefs))
        results.append(SyncResult(product_id=product.id, queued=not errors, sync_state_id=None,
                                  errors=field_errors_out(errors)))
        if not errors:
            accepted[product.shopify_id] = override
    return products, results, accepted


def _unknown_per_product(body: SyncIn) -> None:
    """A per-product override for a product that is not selected is a mistake: 422."""
    stale = [*expired(body.override.certifications if body.override else None, "override."),
             *(e for pid, o in body.per_product.items()
               for e in expired(o.certifications, f"per_product.{pid}."))]
    if stale:
        raise unprocessable(stale)
    extra = sorted(set(body.per_product) - set(body.product_ids))
    if extra:
        raise unprocessable([FieldError(f"per_product.{pid}", "This product is not among the "
                                        "selected products.", "Select it, or drop its "
                                        "override.") for pid in extra])


@router.post("/sync", response_model=SyncOut,
             summary="Manual sync of one or many products, with per-product overrides")
async def sync_products(db: DbDep, queue: QueueDep, services: ServicesDep,
                        connection: ConnectionDep, reference: ReferenceDep,
                        body: SyncIn) -> SyncOut:
    _unknown_per_product(body)
    products, results, accepted = await _evaluate(db, services, connection, reference, body)
    await _queue(db, queue, connection, accepted, results, products)
    queued = sum(r.queued for r in results)
    return SyncOut(queued=queued, refused=len(results) - queued, results=results)


@router.post("/sync/preflight", response_model=SyncOut,
             summary="Dry run of a manual sync: the real pre-flight with the form's overrides; "
                     "nothing is stored, queued or sent to TikTok")
async def preflight_products(db: DbDep, services: ServicesDep, connection: ConnectionDep,
                             reference: ReferenceDep, body: SyncIn) -> SyncOut:
    """Called by the Manual sync form as the merchant types: `queued` here means *would be
    queued* (every check passes); `sync_state_id` is always null."""
    _unknown_per_product(body)
    _, results, _ = await _evaluate(db, services, connection, reference, body)
    passing = sum(r.queued for r in results)
    return SyncOut(queued=passing, refused=len(results) - passing, results=results)


async def _queue(db: DbDep, queue: QueueDep, connection: TikTokShop,
                 accepted: dict[str, dict[str, Any] | None], results: list[SyncResult],
                 products: list[ShopifyProduct]) -> None:
    """Store the accepted overrides and queue those products, in one transaction."""
    if not accepted:
        return
    async with db.unit_of_work() as session:
        merged = await locked_product_settings(session, connection.id)
        for gid, override in accepted.items():
            merged = with_override(merged, gid, override)
        await save_product_settings(session, connection.id, merged)
        gids = list(accepted)
        state_ids = await commands.sync_products(session, queue, connection.id, gids)
    by_gid = dict(zip(gids, state_ids, strict=True))
    gid_of = {p.id: p.shopify_id for p in products}
    for result in results:
        if result.queued:
            result.sync_state_id = by_gid[gid_of[result.product_id]]
