"""Category templates page, beyond CRUD: the list with counts, the editor's live checks, order.

- `GET …/templates/overview`: one page of the list (filtered, sorted and paginated on the
  server), each row with its category path, place in the priority order and the number of
  products it takes (were it active, next to the active templates).
- `POST …/templates/preview`: the live preview of an unsaved draft's selection rules.
- `POST …/templates/validation`: an unsaved draft checked against its TikTok category.
- `POST …/templates/{id}/move`: one step up or down in the priority order (persisted as
  `priority` 1..n over the connection's non-default templates).
Registered before `api_templates.router` so `/overview` is not read as a template id.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import CategoryTemplate, ShopifyProduct, TikTokShop
from ecomsend.sync.products.converters import template_spec
from ecomsend.sync.products.recommend import category_paths
from ecomsend.sync.products.selection import ordered
from ecomsend.sync.products.types import SelectionRule, TemplateSpec
from ecomsend.web.api_common import TIKTOK_RESPONSES, ConnectionDep, field_errors_out
from ecomsend.web.api_templates import (
    MAX_ID,
    PreviewProduct,
    RuleIn,
    TemplateId,
    TemplateIn,
    TemplateOut,
    ValidationOut,
    _columns,
    _out,
    _owned,
    _region_errors,
    validate_spec,
)
from ecomsend.web.api_tiktok_reference import ReferenceData, ReferenceDep
from ecomsend.web.deps import DbDep
from ecomsend.web.product_queries import selection_snapshots, states_by_gid, templates_of
from ecomsend.web.template_selection import positions, taken_by_draft, taken_by_each

router = APIRouter(prefix="/api/connections/{connection_id}/templates",
                   tags=["category templates"], responses=TIKTOK_RESPONSES)
Sort = Literal["priority", "name", "category", "products"]


class TemplateRow(BaseModel):
    """One row of the Category templates list."""

    id: int
    name: str
    category_id: str
    category_name: str | None
    #: Root → leaf names in the region's tree (just the stored name if TikTok is unreachable).
    category_path: list[str]
    active: bool
    is_default: bool
    priority: int
    #: Place in the order templates are tried (1 = first); null for the default (tried last).
    position: int | None
    #: Products the template takes (were it active, next to the active templates).
    product_count: int
    rule_count: int


class TemplatePage(BaseModel):
    items: list[TemplateRow]
    total: int
    page: int
    page_size: int


class DraftRulesIn(BaseModel):
    """The editor's selection rules as they are now (saved or not)."""

    #: The template being edited (its saved version is replaced by this draft); none for new.
    template_id: int | None = Field(None, ge=1, le=MAX_ID)
    selection_rules: list[RuleIn] = Field(default_factory=list, max_length=50)
    match_mode: Literal["all", "any"] = "all"
    priority: int = Field(0, ge=0, le=10000)
    is_default: bool = False
    limit: int = Field(50, ge=1, le=1000)


class DraftPreviewOut(BaseModel):
    count: int
    #: Not-synced products active in Shopify: what activating would sync now.
    not_synced_count: int
    products: list[PreviewProduct]


class MoveIn(BaseModel):
    direction: Literal["up", "down"]


async def _paths(reference: ReferenceData, connection: TikTokShop) -> dict[str, list[str]]:
    """Category paths of the region's tree; empty when TikTok cannot be reached (the list
    still shows the stored category names)."""
    try:
        return {k: list(v) for k, v in category_paths(
            await reference.categories(connection)).items()}
    except HTTPException:
        return {}


def _sort_key(sort: Sort, row: TemplateRow) -> tuple[object, ...]:
    if sort == "name":
        return (row.name.casefold(), row.id)
    if sort == "category":
        return (" > ".join(row.category_path).casefold(), row.id)
    if sort == "products":
        return (row.product_count, row.id)
    return (row.position is None, row.position or 0, row.id)


@router.get("/overview", response_model=TemplatePage,
            summary="The Category templates list: filtered, sorted, paginated, with counts")
async def templates_overview(
        db: DbDep, connection: ConnectionDep, reference: ReferenceDep,
        q: Annotated[str | None, Query(max_length=100)] = None,
        status: Literal["active", "inactive", "default"] | None = None,
        sort: Sort = "priority", direction: Literal["asc", "desc"] = "asc",
        page: Annotated[int, Query(ge=1, le=100000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 25) -> TemplatePage:
    async with db.sessionmaker() as session:
        rows = await templates_of(session, connection.id)
        products = await selection_snapshots(session, connection.shop_id)
    specs = [template_spec(r) for r in rows]
    taken, places = taken_by_each(products, specs), positions(specs)
    paths = await _paths(reference, connection)
    items = [TemplateRow(
        id=r.id, name=r.name, category_id=r.category_id, category_name=r.category_name,
        category_path=paths.get(r.category_id) or [r.category_name or r.category_id],
        active=bool(r.active), is_default=bool(r.is_default), priority=r.priority or 0,
        position=places.get(str(r.id)), product_count=len(taken[str(r.id)]),
        rule_count=len(r.selection_rules or [])) for r in rows]
    needle = " ".join((q or "").split()).casefold()
    items = [i for i in items
             if (not needle or needle in f"{i.name} {' > '.join(i.category_path)}".casefold())
             and (status is None or (status == "default" and i.is_default)
                  or (status == "active" and i.active) or (status == "inactive" and not i.active))]
    items.sort(key=lambda i: _sort_key(sort, i), reverse=direction == "desc")
    start = (page - 1) * page_size
    return TemplatePage(items=items[start:start + page_size], total=len(items), page=page,
                        page_size=page_size)


async def _preview_products(session: AsyncSession, connection: TikTokShop, gids: list[str],
                            limit: int) -> tuple[int, list[PreviewProduct]]:
    """Not-synced count (of products active in Shopify) and the first `limit` products."""
    states = await states_by_gid(session, connection.id, gids)
    shown = (await session.execute(select(ShopifyProduct.id, ShopifyProduct.shopify_id,
                                          ShopifyProduct.title).where(
        ShopifyProduct.shop_id == connection.shop_id,
        ShopifyProduct.shopify_id.in_(gids[:limit])).order_by(ShopifyProduct.id))).all()
    active = set((await session.execute(select(ShopifyProduct.shopify_id).where(
        ShopifyProduct.shop_id == connection.shop_id, ShopifyProduct.status == "ACTIVE",
        ShopifyProduct.shopify_id.in_(gids)))).scalars()) if gids else set()
    not_synced = sum(1 for g in gids if g in active and (
        g not in states or states[g].status == "not_synced"))
    return not_synced, [PreviewProduct(id=pid, shopify_id=gid, title=title,
                                       status=states[gid].status if gid in states
                                       else "not_synced") for pid, gid, title in shown]


@router.post("/preview", response_model=DraftPreviewOut,
             summary="Live preview of unsaved selection rules: the products they would take")
async def preview_draft(db: DbDep, connection: ConnectionDep,
                        body: DraftRulesIn) -> DraftPreviewOut:
    """Called by the template editor as the merchant edits the rules."""
    async with db.sessionmaker() as session:
        if body.template_id is not None:
            await _owned(session, connection, body.template_id)
        saved = [template_spec(r) for r in await templates_of(session, connection.id)]
        draft = TemplateSpec(
            id=str(body.template_id or 0), name="Draft", region=connection.region,
            category_id="", rules=tuple(SelectionRule(field=r.field, op=r.op, value=r.value)
                                        for r in body.selection_rules),
            match_mode=body.match_mode, priority=body.priority, is_default=body.is_default)
        products = await selection_snapshots(session, connection.shop_id)
        gids = taken_by_draft(products, saved, draft)
        not_synced, shown = await _preview_products(session, connection, gids, body.limit)
    return DraftPreviewOut(count=len(gids), not_synced_count=not_synced, products=shown)


@router.post("/validation", response_model=ValidationOut,
             summary="Check an unsaved template against its TikTok category")
async def validate_draft(connection: ConnectionDep, reference: ReferenceDep,
                         body: TemplateIn) -> ValidationOut:
    """Called by the template editor while the merchant fills the category's attributes."""
    row = CategoryTemplate(tiktok_shop_id=connection.id, region=connection.region, active=False,
                           **_columns(body))
    errors = [*_region_errors(body, connection),
              *await validate_spec(reference, connection, template_spec(row))]
    return ValidationOut(valid=not errors, errors=field_errors_out(errors))


@router.post("/{template_id}/move", response_model=list[TemplateOut],
             summary="Move a template one place up or down in the priority order")
async def move_template(db: DbDep, connection: ConnectionDep, template_id: TemplateId,
                        body: MoveIn) -> list[TemplateOut]:
    """Renumbers the non-default templates' `priority` 1..n in their new order; returns the
    connection's templates in that order (the default last)."""
    async with db.unit_of_work() as session:
        row = await _owned(session, connection, template_id)
        if row.is_default:
            raise HTTPException(409, "The default template is always tried last; it takes the "
                                     "products no other template takes.")
        rows = list((await session.execute(select(CategoryTemplate).where(
            CategoryTemplate.tiktok_shop_id == connection.id).with_for_update())).scalars())
        by_id = {str(r.id): r for r in rows}
        order = [by_id[s.id] for s in ordered([template_spec(r) for r in rows])]
        at = order.index(row)
        to = at - 1 if body.direction == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
        for place, item in enumerate(order, start=1):
            item.priority = place
        await session.flush()
        rest = [r for r in rows if r.is_default]
        return [_out(r) for r in (*order, *rest)]
