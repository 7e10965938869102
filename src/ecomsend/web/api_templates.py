"""Category templates page: CRUD, activate/deactivate, default, preview and validation.

A template belongs to one connection (TikTok shop = region). Activation first validates the
template against its TikTok category (422 with field errors), then auto-syncs every Not-synced
product it takes. One default template per connection: setting a new one unsets the old one in
the same transaction; the partial unique index turns a concurrent race into a 409.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import CategoryTemplate, ShopifyProduct, TikTokShop
from ecomsend.sync.errors import FieldError
from ecomsend.sync.listing import commands
from ecomsend.sync.products.converters import template_spec
from ecomsend.sync.products.preflight import check_category, check_category_rules
from ecomsend.sync.products.preflight_attributes import check_attributes
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.selection import preview
from ecomsend.sync.products.types import ProductSnapshot, TemplateSpec
from ecomsend.web.api_common import (
    TIKTOK_RESPONSES,
    ConnectionDep,
    FieldErrorOut,
    field_errors_out,
    unprocessable,
)
from ecomsend.web.api_compliance_models import (
    COMPLIANCE_FIELDS,
    ComplianceIn,
    compliance_out,
    expired,
)
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.product_queries import (
    selection_snapshots,
    states_by_gid,
    templates_of,
)


def _no_nul(value: str) -> str:
    """NUL characters are refused (PostgreSQL cannot store them; no merchant means one)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


#: A string field of the template and manual-sync forms.
Text = Annotated[str, AfterValidator(_no_nul)]

router = APIRouter(prefix="/api/connections/{connection_id}/templates",
                   tags=["category templates"], responses=TIKTOK_RESPONSES)
#: Ids are 64-bit integers: anything larger is a 422, not an overflow in the database driver.
MAX_ID = 2**63 - 1
TemplateId = Annotated[int, Path(ge=1, le=MAX_ID)]
PREVIEW_LIMIT = 200


class AttributeValueIn(BaseModel):
    id: Text | None = Field(None, max_length=64)
    name: Text | None = Field(None, max_length=2000)


class AttributeIn(BaseModel):
    id: Text = Field(min_length=1, max_length=64)
    name: Text | None = Field(None, max_length=255)
    values: list[AttributeValueIn] = Field(min_length=1, max_length=50)


class DimensionsIn(BaseModel):
    length: Decimal = Field(gt=0, le=10000)
    width: Decimal = Field(gt=0, le=10000)
    height: Decimal = Field(gt=0, le=10000)
    unit: Literal["CENTIMETER", "INCH"] = "CENTIMETER"


class RuleIn(BaseModel):
    field: Literal["collection", "product_type", "vendor", "tag", "title"]
    op: Literal["equals", "contains"] = "equals"
    value: Text = Field(min_length=1, max_length=255)


class TemplateIn(ComplianceIn):
    """What the template form sends (the region is the connection's); the compliance fields
    (size chart, certifications, EU manufacturer / responsible person) come from ComplianceIn."""

    name: Text = Field(min_length=1, max_length=255)
    category_id: Text = Field(min_length=1, max_length=64)
    category_name: Text | None = Field(None, max_length=512)
    attributes: list[AttributeIn] = Field(default_factory=list, max_length=100)
    brand_id: Text | None = Field(None, max_length=64)
    #: Stored with 4 decimals: a smaller weight would be stored as 0.
    package_weight: Decimal | None = Field(None, ge=Decimal("0.0001"), le=10000)
    package_weight_unit: Literal["KILOGRAM", "GRAM", "POUND"] = "KILOGRAM"
    package_dimensions: DimensionsIn | None = None
    selection_rules: list[RuleIn] = Field(default_factory=list, max_length=50)
    match_mode: Literal["all", "any"] = "all"
    priority: int = Field(0, ge=0, le=10000)
    is_default: bool = False


class TemplateOut(TemplateIn):
    id: int
    region: str
    active: bool


class ValidationOut(BaseModel):
    valid: bool
    errors: list[FieldErrorOut]


class PreviewProduct(BaseModel):
    id: int
    shopify_id: str
    title: str
    status: str


class PreviewOut(BaseModel):
    template_id: int
    count: int
    #: Not-synced products active in Shopify: what activating the template would sync now.
    not_synced_count: int
    products: list[PreviewProduct]


class ActivationOut(BaseModel):
    template: TemplateOut
    queued: int


def _out(row: CategoryTemplate) -> TemplateOut:
    dims = row.package_dimensions or None
    return TemplateOut(
        id=row.id, region=row.region, active=bool(row.active), name=row.name,
        category_id=row.category_id, category_name=row.category_name,
        attributes=[AttributeIn.model_validate(a) for a in row.attributes or []],
        brand_id=row.brand_id, package_weight=row.package_weight,
        package_weight_unit=row.package_weight_unit,
        package_dimensions=DimensionsIn.model_validate(dims) if dims else None,
        selection_rules=[RuleIn.model_validate(r) for r in row.selection_rules or []],
        match_mode=row.match_mode,
        priority=row.priority, is_default=bool(row.is_default), **compliance_out(row.compliance))


def _columns(body: TemplateIn) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude={"package_weight", "package_dimensions",
                                                 *COMPLIANCE_FIELDS})
    data["package_weight"] = body.package_weight
    data["package_dimensions"] = (body.package_dimensions.model_dump(mode="json")
                                  if body.package_dimensions else {})
    data["compliance"] = body.compliance_json()
    return data


def _region_errors(body: TemplateIn, connection: TikTokShop) -> list[FieldError]:
    region = region_rules(connection.region)
    errors = expired(body.certifications)
    if body.package_weight_unit not in region.weight_units:
        errors.append(FieldError("package_weight_unit", f"TikTok {region.code} takes weights in "
                                 f"{', '.join(region.weight_units)}.", "Pick one of those units."))
    dims = body.package_dimensions
    if dims is not None and dims.unit not in region.dimension_units:
        errors.append(FieldError("package_dimensions.unit", f"TikTok {region.code} takes "
                                 f"dimensions in {', '.join(region.dimension_units)}.",
                                 "Pick one of those units."))
    return errors


async def _owned(session: AsyncSession, connection: TikTokShop,
                 template_id: int) -> CategoryTemplate:
    row = (await session.execute(select(CategoryTemplate).where(
        CategoryTemplate.id == template_id,
        CategoryTemplate.tiktok_shop_id == connection.id))).scalar_one_or_none()
    if row is None:
        raise HTTPException(404, "No such category template for this connection.")
    return row


async def _clear_default(session: AsyncSession, connection: TikTokShop, keep: int | None) -> None:
    stmt = update(CategoryTemplate).where(CategoryTemplate.tiktok_shop_id == connection.id,
                                          CategoryTemplate.is_default.is_(True))
    if keep is not None:
        stmt = stmt.where(CategoryTemplate.id != keep)
    await session.execute(stmt.values(is_default=False))


def _default_conflict(exc: IntegrityError) -> HTTPException:
    return HTTPException(409, "Another default template was set at the same time; reload and "
                              "try again.")


async def validate_spec(reference: ReferenceData, connection: TikTokShop,
                        spec: TemplateSpec) -> list[FieldError]:
    """Everything the category needs that the template lacks (attributes, rules, leaf)."""
    region = region_rules(connection.region)
    errors = check_category(spec, region)
    if not spec.category_id.strip():
        return errors
    leaves = {c.id for c in await reference.categories(connection) if c.is_leaf}
    if spec.category_id not in leaves:
        return [*errors, FieldError("category_id", f"“{spec.category_id}” is not a leaf category "
                                    f"of TikTok {region.code}.", "Pick a category from the "
                                    "last level of the tree.")]
    attrs = await reference.attributes(connection, spec.category_id)
    rules = await reference.rules(connection, spec.category_id)
    errors += check_attributes(spec, attrs, region)
    errors += check_category_rules(spec, region, rules)
    dims_needed = rules.package_dimension is not None and rules.package_dimension.is_required
    if dims_needed and spec.package_dimensions is None:
        errors.append(FieldError("package_dimensions", "TikTok requires package dimensions for "
                                 "this category.", "Set length, width and height."))
    return errors


@router.get("", response_model=list[TemplateOut], summary="The connection's category templates")
async def list_templates(db: DbDep, connection: ConnectionDep) -> list[TemplateOut]:
    async with db.sessionmaker() as session:
        return [_out(r) for r in await templates_of(session, connection.id)]


@router.post("", response_model=TemplateOut, status_code=201,
             summary="Create a category template (inactive until activated)")
async def create_template(db: DbDep, connection: ConnectionDep, body: TemplateIn) -> TemplateOut:
    errors = _region_errors(body, connection)
    if errors:
        raise unprocessable(errors)
    try:
        async with db.unit_of_work() as session:
            if body.is_default:
                await _clear_default(session, connection, None)
            row = CategoryTemplate(tiktok_shop_id=connection.id, region=connection.region,
                                   active=False, **_columns(body))
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise _default_conflict(exc) from exc
    return _out(row)


@router.get("/{template_id}", response_model=TemplateOut, summary="One category template")
async def read_template(db: DbDep, connection: ConnectionDep,
                        template_id: TemplateId) -> TemplateOut:
    async with db.sessionmaker() as session:
        return _out(await _owned(session, connection, template_id))


@router.put("/{template_id}", response_model=TemplateOut, summary="Replace a category template")
async def update_template(db: DbDep, connection: ConnectionDep, template_id: TemplateId,
                          body: TemplateIn) -> TemplateOut:
    errors = _region_errors(body, connection)
    if errors:
        raise unprocessable(errors)
    try:
        async with db.unit_of_work() as session:
            row = await _owned(session, connection, template_id)
            if body.is_default:
                await _clear_default(session, connection, row.id)
            for key, value in _columns(body).items():
                setattr(row, key, value)
            await session.flush()
    except IntegrityError as exc:
        raise _default_conflict(exc) from exc
    return _out(row)


@router.delete("/{template_id}", status_code=204, summary="Delete a category template")
async def delete_template(db: DbDep, connection: ConnectionDep,
                          template_id: TemplateId) -> Response:
    async with db.unit_of_work() as session:
        await session.delete(await _owned(session, connection, template_id))
    return Response(status_code=204)


@router.post("/{template_id}/default", response_model=TemplateOut,
             summary="Make this the connection's default template")
async def make_default(db: DbDep, connection: ConnectionDep,
                       template_id: TemplateId) -> TemplateOut:
    try:
        async with db.unit_of_work() as session:
            row = await _owned(session, connection, template_id)
            await _clear_default(session, connection, row.id)
            row.is_default = True
            await session.flush()
    except IntegrityError as exc:
        raise _default_conflict(exc) from exc
    return _out(row)


@router.get("/{template_id}/validation", response_model=ValidationOut,
            summary="Check the template against its TikTok category (required attributes…)")
async def validate_template(db: DbDep, connection: ConnectionDep, reference: ReferenceDep,
                            template_id: TemplateId) -> ValidationOut:
    async with db.sessionmaker() as session:
        row = await _owned(session, connection, template_id)
    errors = await validate_spec(reference, connection, template_spec(row))
    return ValidationOut(valid=not errors, errors=field_errors_out(errors))


async def _assignments(session: AsyncSession, connection: TikTokShop,
                       row: CategoryTemplate) -> list[ProductSnapshot]:
    """Products this template takes, with the other *active* templates competing."""
    specs = [template_spec(r) for r in await templates_of(session, connection.id)
             if r.active or r.id == row.id]
    specs = [s if s.id != str(row.id) else _activated(s) for s in specs]
    products = await selection_snapshots(session, connection.shop_id)
    taken = set(preview(products, specs, active_only=True).products_for(str(row.id)))
    return [p for p in products if p.id in taken]


def _activated(spec: TemplateSpec) -> TemplateSpec:
    return replace(spec, active=True)


@router.get("/{template_id}/preview", response_model=PreviewOut,
            summary="Which products the template would take (given the active templates)")
async def preview_template(db: DbDep, connection: ConnectionDep, template_id: TemplateId,
                           limit: Annotated[int, Query(ge=1, le=1000)] = PREVIEW_LIMIT,
                           ) -> PreviewOut:
    async with db.sessionmaker() as session:
        row = await _owned(session, connection, template_id)
        taken = await _assignments(session, connection, row)
        gids = [p.id for p in taken]
        states = await states_by_gid(session, connection.id, gids)
        shown = (await session.execute(select(ShopifyProduct.id, ShopifyProduct.shopify_id,
                                              ShopifyProduct.title).where(
            ShopifyProduct.shop_id == connection.shop_id,
            ShopifyProduct.shopify_id.in_(gids[:limit])).order_by(ShopifyProduct.id))).all()
    not_synced = [p.id for p in taken if p.status.upper() == "ACTIVE" and (
        p.id not in states or states[p.id].status == "not_synced")]
    return PreviewOut(template_id=row.id, count=len(gids), not_synced_count=len(not_synced),
                      products=[PreviewProduct(id=pid, shopify_id=gid, title=title,
                                               status=states[gid].status if gid in states
                                               else "not_synced")
                                for pid, gid, title in shown])


@router.post("/{template_id}/activate", response_model=ActivationOut,
             summary="Activate: validate, then auto-sync every Not-synced product it takes")
async def activate_template(db: DbDep, queue: QueueDep, connection: ConnectionDep,
                            reference: ReferenceDep, template_id: TemplateId) -> ActivationOut:
    async with db.sessionmaker() as session:
        spec = template_spec(await _owned(session, connection, template_id))
    errors = await validate_spec(reference, connection, spec)
    if errors:
        raise unprocessable(errors)
    queued = await commands.activate_template(db, queue, template_id)  # owned: checked above
    async with db.sessionmaker() as session:
        row = await _owned(session, connection, template_id)
    return ActivationOut(template=_out(row), queued=queued)


@router.post("/{template_id}/deactivate", response_model=TemplateOut,
             summary="Deactivate: no new products are taken (synced ones stay listed)")
async def deactivate_template(db: DbDep, connection: ConnectionDep,
                              template_id: TemplateId) -> TemplateOut:
    async with db.unit_of_work() as session:
        row = await _owned(session, connection, template_id)
        await commands.deactivate_template(session, row.id)
        await session.refresh(row)
    return _out(row)
