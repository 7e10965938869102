"""Per-product overrides for manual sync (pure): category, attributes, brand, package.

The merchant fills the required fields of one or many products on the Products page; what they
chose is stored per Shopify product GID in `settings.product["overrides"]` with the same keys as
a `category_template` row (`category_id`, `category_name`, `attributes`, `brand_id`,
`package_weight`, `package_weight_unit`, `package_dimensions`, and the compliance keys
`size_chart`, `certifications`, `manufacturers`, `responsible_persons`). The push pipeline
applies it with `effective_template(template_that_matched, override, region)` before mapping
and preflight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ecomsend.db.models.templates import CategoryTemplate
from ecomsend.sync.products.compliance import COMPLIANCE_KEYS
from ecomsend.sync.products.converters import template_spec
from ecomsend.sync.products.types import TemplateSpec

OVERRIDES_KEY = "overrides"
OVERRIDE_FIELDS = ("category_id", "category_name", "attributes", "brand_id", "package_weight",
                   "package_weight_unit", "package_dimensions", *COMPLIANCE_KEYS)
#: Compliance JSON key → the TemplateSpec fields it sets.
_COMPLIANCE_SPEC_FIELDS = {
    "size_chart": ("size_chart_template_id", "size_chart_image_uri"),
    "certifications": ("certifications",), "manufacturers": ("manufacturer_ids",),
    "responsible_persons": ("responsible_person_ids",)}
MANUAL_NAME = "Manual sync"


def overrides_from_settings(product_settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`{product_gid: override}` from `settings.product` (missing → empty)."""
    raw = product_settings.get(OVERRIDES_KEY) or {}
    return {str(k): dict(v) for k, v in dict(raw).items() if isinstance(v, Mapping)}


def with_override(product_settings: Mapping[str, Any], product_gid: str,
                  override: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of `settings.product` with the product's override set (or removed when None)."""
    out = dict(product_settings)
    overrides = overrides_from_settings(product_settings)
    clean = {k: v for k, v in (override or {}).items() if k in OVERRIDE_FIELDS and v is not None}
    if clean:
        overrides[product_gid] = clean
    else:
        overrides.pop(product_gid, None)
    out[OVERRIDES_KEY] = overrides
    return out


def _override_spec(override: Mapping[str, Any], region: str, base: TemplateSpec | None,
                   ) -> TemplateSpec:
    weight = override.get("package_weight")
    row = CategoryTemplate(
        id=0, name=base.name if base else MANUAL_NAME, region=region,
        category_id=str(override.get("category_id") or (base.category_id if base else "")),
        category_name=override.get("category_name"), attributes=override.get("attributes") or [],
        brand_id=override.get("brand_id"),
        package_weight=None if weight in (None, "") else Decimal(str(weight)),
        package_weight_unit=override.get("package_weight_unit") or "KILOGRAM",
        package_dimensions=override.get("package_dimensions") or {}, selection_rules=[],
        match_mode="all", priority=0, active=True, is_default=False,
        compliance={k: override[k] for k in COMPLIANCE_KEYS if override.get(k) is not None})
    return template_spec(row)


def _compliance_over(base: TemplateSpec, spec: TemplateSpec, override: Mapping[str, Any],
                     same_category: bool) -> dict[str, Any]:
    """The compliance fields the override replaces; another category drops the template's
    certifications (they are that category's)."""
    out: dict[str, Any] = {} if same_category else {"certifications": ()}
    for key, names in _COMPLIANCE_SPEC_FIELDS.items():
        if override.get(key) is not None:
            out.update({name: getattr(spec, name) for name in names})
    return out


def effective_template(base: TemplateSpec | None, override: Mapping[str, Any] | None,
                       region: str) -> TemplateSpec | None:
    """The template a product is pushed with: the matched template with the override on top.

    A different category in the override drops the template's attributes (they belong to the
    other category); the same category merges attributes by id (the override's win).
    """
    if not override:
        return base
    spec = _override_spec(override, region, base)
    if base is None:
        return spec if spec.category_id else None
    same_category = spec.category_id == base.category_id
    attrs = spec.attributes
    if same_category:
        mine = {a.attribute_id for a in spec.attributes}
        attrs = (*[a for a in base.attributes if a.attribute_id not in mine], *spec.attributes)
    return replace(
        base, category_id=spec.category_id,
        category_name=(override.get("category_name") or
                       (base.category_name if same_category else None)),
        attributes=attrs, brand_id=spec.brand_id if "brand_id" in override else base.brand_id,
        package_weight=spec.package_weight if "package_weight" in override
        else base.package_weight,
        package_weight_unit=spec.package_weight_unit if "package_weight_unit" in override
        else base.package_weight_unit,
        package_dimensions=spec.package_dimensions if "package_dimensions" in override
        else base.package_dimensions,
        **_compliance_over(base, spec, override, same_category))
