"""A default category template from a valid Create Product body (the demo, the benchmark and
the end-to-end tests start from the TikTok sandbox's `sample_product`; a real shop could start
from one of its own listings the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ecomsend.db.models import CategoryTemplate, ShopifyProduct, SyncState, TikTokShop
from ecomsend.sync.listing.commands import activate_template
from ecomsend.sync.listing.ids import PRODUCT, TO_TIKTOK

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue

#: Category needs a template row cannot express (none since the compliance JSON, issue 13 §1:
#: size chart, certifications and EU ids are carried over by `compliance_of`).
UNSUPPORTED_NEEDS: tuple[str, ...] = ()


def template_is_expressible(body: Mapping[str, Any]) -> bool:
    """True when the body's category needs nothing a template cannot hold."""
    return not any(body.get(k) for k in UNSUPPORTED_NEEDS)


def compliance_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """A template's compliance JSON from a Create Product body's size chart, certifications
    and EU GPSR ids (the shape `sync.products.compliance` reads)."""
    out: dict[str, Any] = {}
    chart = body.get("size_chart") or {}
    if chart:
        out["size_chart"] = {"template_id": (chart.get("template") or {}).get("id"),
                             "image_uri": (chart.get("image") or {}).get("uri")}
    if body.get("certifications"):
        out["certifications"] = [{"id": str(c["id"]), "images": list(c.get("images") or []),
                                  "files": list(c.get("files") or []),
                                  "expiration_date": c.get("expiration_date")}
                                 for c in body["certifications"]]
    for key, ids in (("manufacturers", "manufacturer_ids"),
                     ("responsible_persons", "responsible_person_ids")):
        if body.get(ids):
            out[key] = [{"id": str(i)} for i in body[ids]]
    return out


def default_template(tiktok_shop_id: int, region: str, body: Mapping[str, Any], *,
                     name: str = "Default template") -> CategoryTemplate:
    """An inactive default template with the body's category, attributes and package."""
    weight = body.get("package_weight") or {}
    dims = body.get("package_dimensions") or {}
    attributes = [{"id": str(a["id"]), "values": [
        {k: str(v[k]) for k in ("id", "name") if v.get(k)} for v in a.get("values") or []]}
        for a in body.get("product_attributes") or []]
    return CategoryTemplate(
        tiktok_shop_id=tiktok_shop_id, name=name, region=region,
        category_id=str(body["category_id"]), category_name=None, attributes=attributes,
        brand_id=body.get("brand_id"),
        package_weight=Decimal(str(weight["value"])) if weight.get("value") else None,
        package_weight_unit=str(weight.get("unit") or "KILOGRAM"),
        package_dimensions=dict(dims), selection_rules=[], match_mode="all", priority=0,
        active=False, is_default=True, compliance=compliance_of(body))


async def activate_default_template(db: Database, queue: JobQueue, tiktok_shop_id: int,
                                    body: Mapping[str, Any]) -> tuple[int, int]:
    """Create the connection's default template from `body`, then activate it
    (`commands.activate_template`); returns (template id, products marked for listing)."""
    async with db.unit_of_work() as session:
        region = (await session.execute(select(TikTokShop.region).where(
            TikTokShop.id == tiktok_shop_id))).scalar_one()
        row = default_template(tiktok_shop_id, region, body)
        session.add(row)
        await session.flush()
        template_id = int(row.id)
    return template_id, await activate_template(db, queue, template_id)


async def listing_progress(db: Database, tiktok_shop_id: int | None = None) -> dict[str, int]:
    """Product sync rows by status (what the demo's progress bar and report read), of one
    connection or of all."""
    where = [SyncState.kind == PRODUCT, SyncState.direction == TO_TIKTOK]
    if tiktok_shop_id is not None:
        where.append(SyncState.tiktok_shop_id == tiktok_shop_id)
    async with db.sessionmaker() as session:
        rows = await session.execute(select(SyncState.status, func.count()).where(*where)
                                     .group_by(SyncState.status))
        return {str(status): int(n) for status, n in rows.all()}


async def listing_failures(db: Database,
                           tiktok_shop_id: int | None = None) -> list[dict[str, str]]:
    """Every product that failed (or failed TikTok's review) with its reason in plain words,
    of one connection or of all."""
    where = [SyncState.kind == PRODUCT, SyncState.direction == TO_TIKTOK,
             SyncState.status.in_(["failed", "review_failed"])]
    if tiktok_shop_id is not None:
        where.append(SyncState.tiktok_shop_id == tiktok_shop_id)
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(ShopifyProduct.title, SyncState.entity_id, SyncState.status,
                   SyncState.last_error)
            .join(ShopifyProduct, ShopifyProduct.shopify_id == SyncState.entity_id)
            .where(*where).order_by(SyncState.id))
        return [{"product": f"{title} ({entity})", "status": str(status),
                 "reason": str((error or {}).get("message") or "unknown")}
                for title, entity, status, error in rows.all()]
