"""Pre-flight checks of a template's product attributes against the category's attributes.

Called by `preflight.validate`. TikTok's rules (Get Attributes doc, reference §4.5; Create Product
errors): an attribute with `is_requried` (sic; the client reads both spellings) must be present
(`12052104`), and so must one whose `requirement_conditions` match a chosen value ("if any of the
conditions is met, the attribute is required"); built-in value ids must exist (`12052529`);
custom values only where `is_customizable` (`12052247`), ≤ 2,000 chars (Create Product doc);
one value unless `is_multiple_selection` (`12052246`); `POSITIVE_INT_OR_DECIMAL` values must be
positive numbers (`12052256`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ecomsend.integrations.tiktok.models.catalog import Attribute
from ecomsend.sync.errors import FieldError
from ecomsend.sync.products.regions import PRODUCT_ATTRIBUTE_VALUE_MAX, RegionRules
from ecomsend.sync.products.text import clean_text, has_han
from ecomsend.sync.products.types import AttributeValueSpec, TemplateAttribute, TemplateSpec

#: How many allowed values a message lists before "…" (enough to pick one, short to read).
ALLOWED_VALUES_SHOWN = 10


def _label(attr: Attribute) -> str:
    return attr.name or attr.id


def allowed_values_text(attr: Attribute) -> str:
    """"Cotton, Linen, Wool, …" — the first allowed value names of an attribute."""
    names = [v.name or v.id for v in attr.values]
    shown = ", ".join(names[:ALLOWED_VALUES_SHOWN])
    return shown + (", …" if len(names) > ALLOWED_VALUES_SHOWN else "")


def _chosen_value_ids(template: TemplateSpec) -> set[tuple[str, str]]:
    return {(a.attribute_id, v.id) for a in template.attributes for v in a.values if v.id}


def is_required(attr: Attribute, template: TemplateSpec) -> bool:
    """Always required, or required because a condition matches a value the template chose."""
    if attr.is_required:
        return True
    chosen = _chosen_value_ids(template)
    return any(
        c.condition_type in (None, "VALUE_ID_MATCH")
        and (c.attribute_id or "", c.attribute_value_id or "") in chosen
        for c in attr.requirement_conditions
    )


def _has_value(template: TemplateSpec, attr_id: str) -> bool:
    return any(
        a.attribute_id == attr_id and any(v.id or clean_text(v.name) for v in a.values)
        for a in template.attributes
    )


def _missing(attr: Attribute, template: TemplateSpec) -> FieldError:
    allowed = allowed_values_text(attr)
    choose = f" Choose one of: {allowed}." if allowed else ""
    return FieldError(
        f"product_attributes.{_label(attr)}",
        f"TikTok requires “{_label(attr)}” for category "
        f"{template.category_name or template.category_id}.{choose}",
        f"Set “{_label(attr)}” in the category template “{template.name}”.",
    )


def _check_value(
    attr: Attribute, value: AttributeValueSpec, template: TemplateSpec, region: RegionRules
) -> list[FieldError]:
    path = f"product_attributes.{_label(attr)}"
    where = f"Edit “{_label(attr)}” in the category template “{template.name}”."
    if value.id:
        if attr.values and value.id not in {v.id for v in attr.values}:
            return [FieldError(path, f"“{value.id}” is not a value TikTok offers for "
                               f"“{_label(attr)}”. Allowed: {allowed_values_text(attr)}.", where)]
        return []
    name = clean_text(value.name)
    if not name:
        return []
    errors = []
    if attr.values and not attr.is_customizable and name.casefold() not in {
        (v.name or "").casefold() for v in attr.values
    }:
        errors.append(FieldError(path, f"“{_label(attr)}” takes only TikTok's own values, not "
                                 f"“{name}”. Allowed: {allowed_values_text(attr)}.", where))
    if len(name) > PRODUCT_ATTRIBUTE_VALUE_MAX:
        errors.append(FieldError(path, f"The value of “{_label(attr)}” is {len(name)} characters; "
                                 f"TikTok allows at most {PRODUCT_ATTRIBUTE_VALUE_MAX}.", where))
    if attr.value_data_format == "POSITIVE_INT_OR_DECIMAL" and not _positive_number(name):
        errors.append(FieldError(path, f"“{_label(attr)}” must be a positive number, not "
                                 f"“{name}”.", where))
    if not region.allows_han and has_han(name):
        errors.append(FieldError(path, f"The value of “{_label(attr)}” contains Chinese "
                                 f"characters, which TikTok {region.code} refuses.", where))
    return errors


def _positive_number(text: str) -> bool:
    try:
        return Decimal(text) > 0
    except InvalidOperation:
        return False


def _check_template_attribute(
    ta: TemplateAttribute, attr: Attribute | None, template: TemplateSpec, region: RegionRules
) -> list[FieldError]:
    label = ta.name or ta.attribute_id
    if attr is None:
        return [FieldError(
            f"product_attributes.{label}",
            f"“{label}” is not an attribute of TikTok category "
            f"{template.category_name or template.category_id}.",
            f"Remove “{label}” from the category template “{template.name}”.",
        )]
    values = [v for v in ta.values if v.id or clean_text(v.name)]
    errors = []
    if len(values) > 1 and not attr.is_multiple_selection:
        errors.append(FieldError(
            f"product_attributes.{_label(attr)}",
            f"“{_label(attr)}” takes one value; the template sets {len(values)}.",
            f"Keep one value for “{_label(attr)}” in the category template “{template.name}”.",
        ))
    for value in values:
        errors.extend(_check_value(attr, value, template, region))
    return errors


def check_attributes(
    template: TemplateSpec, category_attributes: Sequence[Attribute], region: RegionRules
) -> list[FieldError]:
    """Every attribute problem of the template for its category (product attributes only;
    sales attributes come from Shopify options and are checked with the SKUs)."""
    product_attrs = [a for a in category_attributes if a.type != "SALES_PROPERTY"]
    by_id = {a.id: a for a in product_attrs}
    errors = [
        _missing(a, template)
        for a in product_attrs
        if is_required(a, template) and not _has_value(template, a.id)
    ]
    for ta in template.attributes:
        errors.extend(_check_template_attribute(ta, by_id.get(ta.attribute_id), template, region))
    return errors
