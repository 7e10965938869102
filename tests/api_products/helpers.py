"""Helpers shared by the API tests: a category a template can fill, direct DB seeding."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ecomsend.db.models import ShopifyProduct, SyncState
from ecomsend.db.session import Database

from .conftest import Tenant

_CATEGORY: dict[str, dict[str, Any]] = {}


async def fillable_category(tenant: Tenant) -> dict[str, Any]:
    """A leaf whose rules need nothing a template cannot carry (no certification, no size
    chart), with its required attributes filled from the allowed values."""
    key = tenant.url("")
    if key in _CATEGORY:
        return _CATEGORY[key]
    tree = (await tenant.http.get(tenant.url("/tiktok/categories"),
                                  params={"leaves_only": True})).json()
    for cat in tree["categories"][:60]:
        rules = (await tenant.http.get(tenant.url(f"/tiktok/categories/{cat['id']}/rules"))).json()
        if any(c.get("is_required") for c in rules.get("product_certifications") or []):
            continue
        if (rules.get("size_chart") or {}).get("is_required"):
            continue
        attrs = (await tenant.http.get(
            tenant.url(f"/tiktok/categories/{cat['id']}/attributes"))).json()
        required = [a for a in attrs if a["required"] and a["type"] != "SALES_PROPERTY"]
        if not required:
            continue
        filled = [{"id": a["id"], "name": a["name"],
                   "values": [{"id": a["values"][0]["id"]}] if a["values"]
                   else [{"name": "2"}]} for a in required]
        found = {"id": cat["id"], "name": cat["name"], "required": required,
                 "attributes": filled}
        _CATEGORY[key] = found
        return found
    raise AssertionError("no fillable category in the sandbox tree")


def template_body(category: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"name": "T", "category_id": category["id"], "category_name": category["name"],
            "attributes": category["attributes"], "package_weight": "0.5",
            "package_weight_unit": "KILOGRAM",
            "package_dimensions": {"length": 20, "width": 15, "height": 5,
                                   "unit": "CENTIMETER"}}
    body.update(extra)
    return body


async def product_ids(db: Database, tenant: Tenant) -> list[int]:
    async with db.sessionmaker() as s:
        return list((await s.execute(select(ShopifyProduct.id).where(
            ShopifyProduct.shop_id == tenant.shop_id).order_by(ShopifyProduct.id))).scalars())


async def seed_state(db: Database, tenant: Tenant, product_id: int, status: str,
                     error: dict[str, Any] | None = None, kind: str = "product") -> None:
    """Put the product's sync_state in `status` (as the pipeline would after a push)."""
    async with db.unit_of_work() as s:
        gid = (await s.execute(select(ShopifyProduct.shopify_id).where(
            ShopifyProduct.id == product_id))).scalar_one()
        row = (await s.execute(select(SyncState).where(
            SyncState.tiktok_shop_id == tenant.connection_id, SyncState.kind == kind,
            SyncState.entity_id == gid))).scalar_one_or_none()
        if row is None:
            row = SyncState(shop_id=tenant.shop_id, tiktok_shop_id=tenant.connection_id,
                            kind=kind, entity_id=gid, direction="to_tiktok")
            s.add(row)
        row.status, row.last_error = status, error
        row.desired_version, row.synced_version = 1, 1
        row.lease_owner = row.lease_until = None
