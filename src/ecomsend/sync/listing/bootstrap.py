"""A default category template from a valid Create Product body (the demo, the benchmark and
the end-to-end tests start from the TikTok sandbox's `sample_product`; a real shop could start
from one of its own listings the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ecomsend.db.models import CategoryTemplate

#: Category needs a template row cannot express yet (no size chart, certificates, EU ids).
UNSUPPORTED_NEEDS = ("size_chart", "certifications", "manufacturer_ids",
                     "responsible_person_ids")


def template_is_expressible(body: Mapping[str, Any]) -> bool:
    """True when the body's category needs nothing a template cannot hold."""
    return not any(body.get(k) for k in UNSUPPORTED_NEEDS)


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
        active=False, is_default=True)
