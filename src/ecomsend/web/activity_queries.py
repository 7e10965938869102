"""Reads behind the Activity page and its CSV export: the signed-in shop's `activity_log`
rows, filtered, searched, sorted and paginated in SQL, each with a subject a merchant
recognises (product title, order id) and whether Retry can act on it.

Used by `web.api_activity` (list, export, bulk retry) and `web.api_home` (labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import ActivityLog, ProductLink, ShopifyProduct, SyncState, TikTokShop
from ecomsend.sync.retry import EntityRef, states_by_ref, why_not

#: Activity kinds → what the merchant reads.
KIND_LABELS: dict[str, str] = {
    "product": "Product", "price": "Price", "inventory": "Inventory", "audit": "TikTok review",
    "order": "Order", "fulfillment": "Fulfillment", "order_cancel": "Cancellation",
    "webhook": "Webhook", "catalog_import": "Catalog import", "connection": "Connection",
}
STATUS_LABELS: dict[str, str] = {
    "synced": "Succeeded", "failed": "Failed", "received": "Received", "ignored": "Ignored",
    "disconnected": "Disconnected",
}
Kind = Literal["product", "price", "inventory", "audit", "order", "fulfillment",
               "order_cancel", "webhook", "catalog_import", "connection"]
Status = Literal["synced", "failed", "received", "ignored", "disconnected"]
SortKey = Literal["created_at", "kind", "status"]
SortDir = Literal["desc", "asc"]
PRODUCT_KINDS = ("product", "price", "inventory")
ORDER_KINDS = ("order", "fulfillment", "order_cancel")


@dataclass(frozen=True)
class ActivityFilter:
    """What the merchant asked for (validated by the route)."""

    kinds: Sequence[str] = ()
    statuses: Sequence[str] = ()
    connection_id: int | None = None
    since: date | None = None
    until: date | None = None
    query: str | None = None
    sort: SortKey = "created_at"
    direction: SortDir = "desc"


@dataclass(frozen=True)
class Subject:
    """What a row is about, and where in the app it lives."""

    label: str
    url: str | None


@dataclass(frozen=True)
class RowInfo:
    """One activity row with its subject, connection region and retry possibility."""

    row: ActivityLog
    subject: Subject
    region: str | None
    can_retry: bool
    retry_blocked: str | None


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def where_of(shop_id: int, f: ActivityFilter) -> list[Any]:
    """SQL conditions of the filter, always scoped to the shop."""
    where: list[Any] = [ActivityLog.shop_id == shop_id]
    if f.kinds:
        where.append(ActivityLog.kind.in_(list(f.kinds)))
    if f.statuses:
        where.append(ActivityLog.status.in_(list(f.statuses)))
    if f.connection_id is not None:
        where.append(ActivityLog.tiktok_shop_id == f.connection_id)
    if f.since is not None:
        where.append(ActivityLog.created_at >= _day_start(f.since))
    if f.until is not None:
        where.append(ActivityLog.created_at < _day_start(f.until) + timedelta(days=1))
    if f.query and f.query.strip():
        needle = _like(f.query)
        titled = select(ShopifyProduct.shopify_id).where(
            ShopifyProduct.shop_id == shop_id,
            func.lower(ShopifyProduct.title).like(needle, escape="\\"))
        where.append(or_(func.lower(ActivityLog.message).like(needle, escape="\\"),
                         func.lower(ActivityLog.entity_id).like(needle, escape="\\"),
                         ActivityLog.entity_id.in_(titled)))
    return where


def ordered(stmt: Select[Any], f: ActivityFilter) -> Select[Any]:
    """Newest first by default; kind or status sort keep time order inside a group."""
    newest = f.direction == "desc"
    when = ActivityLog.created_at.desc() if newest else ActivityLog.created_at.asc()
    ident = ActivityLog.id.desc() if newest else ActivityLog.id.asc()
    if f.sort == "created_at":
        return stmt.order_by(when, ident)
    column = ActivityLog.kind if f.sort == "kind" else ActivityLog.status
    return stmt.order_by(column.desc() if newest else column.asc(),
                         ActivityLog.created_at.desc(), ActivityLog.id.desc())


async def count(session: AsyncSession, shop_id: int, f: ActivityFilter) -> int:
    return int((await session.execute(select(func.count()).select_from(ActivityLog).where(
        *where_of(shop_id, f)))).scalar_one())


async def page(session: AsyncSession, shop_id: int, f: ActivityFilter, *, limit: int,
               offset: int) -> list[ActivityLog]:
    stmt = ordered(select(ActivityLog).where(*where_of(shop_id, f)), f)
    return list((await session.execute(stmt.limit(limit).offset(offset))).scalars())


async def by_ids(session: AsyncSession, shop_id: int, ids: Sequence[int]) -> list[ActivityLog]:
    """The shop's rows among `ids` (another shop's ids are simply absent)."""
    return list((await session.execute(select(ActivityLog).where(
        ActivityLog.shop_id == shop_id, ActivityLog.id.in_(list(ids))))).scalars())


def entity_ref(row: ActivityLog) -> EntityRef | None:
    if row.tiktok_shop_id is None or row.entity_id is None or row.direction is None:
        return None
    return (row.tiktok_shop_id, row.kind, row.entity_id, row.direction)


#: (tiktok_shop_id, kind, entity_id, direction) of an activity or sync_state row.
Item = tuple[int | None, str, str | None, str | None]


def item_of(row: ActivityLog) -> Item:
    return (row.tiktok_shop_id, row.kind, row.entity_id, row.direction)


async def _products(session: AsyncSession, shop_id: int,
                    items: Sequence[Item]) -> dict[tuple[int | None, str], Subject]:
    """Product subjects by (connection, entity) for product kinds and TikTok audits."""
    gids = {e for _, k, e, _ in items if k in PRODUCT_KINDS and e}
    audits = {e for _, k, e, _ in items if k == "audit" and e}
    by_audit: dict[tuple[int, str], str] = {}
    if audits:
        for tts, tiktok_id, gid in (await session.execute(select(
                ProductLink.tiktok_shop_id, ProductLink.tiktok_product_id,
                ProductLink.shopify_product_id).where(
                ProductLink.tiktok_product_id.in_(audits)).distinct())).all():
            by_audit[(tts, tiktok_id)] = gid
            gids.add(gid)
    products = {gid: (pid, title) for pid, gid, title in (await session.execute(select(
        ShopifyProduct.id, ShopifyProduct.shopify_id, ShopifyProduct.title).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id.in_(gids)))).all()
    } if gids else {}
    out: dict[tuple[int | None, str], Subject] = {}
    for tts_id, kind, entity, _ in items:
        found: str | None = (entity if kind in PRODUCT_KINDS
                             else by_audit.get((tts_id or 0, entity or "")))
        if found and found in products:
            pid, title = products[found]
            out[(tts_id, entity or "")] = Subject(title, f"/products/{pid}")
    return out


def _subject(item: Item, products: dict[tuple[int | None, str], Subject]) -> Subject:
    tts_id, kind, entity_id, direction = item
    entity = entity_id or ""
    found = products.get((tts_id, entity))
    if found is not None:
        return found
    if kind in ORDER_KINDS:
        return Subject(f"TikTok order {entity}", "/orders")
    if kind == "audit":
        return Subject(f"TikTok product {entity}", None)
    if kind in PRODUCT_KINDS:
        return Subject(f"Product {entity.rsplit('/', 1)[-1]}", None)
    if kind == "webhook":
        return Subject(f"{(direction or '').capitalize()} webhook".strip(), None)
    if kind == "connection":
        return Subject(f"TikTok Shop {entity}", "/settings?tab=connections")
    return Subject(KIND_LABELS.get(kind, kind), None)


async def subjects(session: AsyncSession, shop_id: int, items: Sequence[Item]) -> list[Subject]:
    """What each item is about (product title and page, order id…), in `items` order."""
    products = await _products(session, shop_id, items)
    return [_subject(i, products) for i in items]


async def describe(session: AsyncSession, shop_id: int,
                   rows: Sequence[ActivityLog]) -> list[RowInfo]:
    """Subjects, regions and retry possibility of a page of rows (a few batched queries)."""
    labels = await subjects(session, shop_id, [item_of(r) for r in rows])
    conns = {t.id: t for t in (await session.execute(select(TikTokShop).where(
        TikTokShop.shop_id == shop_id))).scalars()}
    states = await states_by_ref(session, [ref for r in rows
                                           if r.status == "failed" and (ref := entity_ref(r))])
    out = []
    for r, subject in zip(rows, labels, strict=True):
        tts = conns.get(r.tiktok_shop_id or 0)
        blocked = None
        if r.status == "failed":
            ref = entity_ref(r)
            st: SyncState | None = states.get(ref) if ref else None
            blocked = why_not(r.kind, st, tts is not None and tts.disconnected_at is None)
        out.append(RowInfo(r, subject, tts.region if tts else None,
                           r.status == "failed" and blocked is None, blocked))
    return out
