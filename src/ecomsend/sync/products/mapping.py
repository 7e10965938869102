"""Shopify product → TikTok Create/Edit Product body (DESIGN.md §2: mapping is pure).

`map_product` returns the TikTok client's own `ProductUpsert`, so the use-case sends it as-is
(`ProductUpsert.to_body()`); `price_updates` / `inventory_updates` build the cheap price-only and
inventory-only bodies (reference §4.3). Nothing here validates: `preflight.validate` reports,
in a merchant's words, everything TikTok would refuse; mapping just produces the payload.

Field sources (Create Product doc, reference §4.2):
- title: Shopify title, cleaned (`text.clean_text`); description: `body_html` sanitized, or the
  title as a paragraph when Shopify has none (TikTok requires one, `12052015`).
- main_images: the product's images that were uploaded to TikTok, in order, at most 9.
- skus: one per variant in Shopify position order; `seller_sku` = Shopify SKU,
  `external_sku_id` = Shopify variant id; sales attributes from the options (custom names);
  `sku_img` on the first option's values when every value has an uploaded variant image
  (the doc: "an image must be provided for each value of the primary attribute").
- package: the template's weight/dimensions, else the heaviest variant's weight.
- size_chart, certifications, manufacturer_ids / responsible_person_ids (EU): from the
  template (or the manual-sync override), as the category's rules ask (issue 13 §1).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ecomsend.integrations.tiktok.models.products import (
    Dimensions,
    IdentifierCode,
    ImageRef,
    PriceInput,
    ProductAttributeInput,
    ProductUpsert,
    SalesAttributeInput,
    SkuInput,
    SkuInventoryUpdate,
    SkuPriceUpdate,
    Weight,
)
from ecomsend.sync.products import inventory, pricing
from ecomsend.sync.products.identifiers import identifier_for
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.text import clean_text, sanitize_description
from ecomsend.sync.products.types import (
    ProductPrefs,
    ProductSnapshot,
    TemplateSpec,
    UploadedImage,
    VariantSnapshot,
    WeightUnit,
)
from ecomsend.sync.products.units import (
    convert_length,
    convert_weight,
    decimal_str,
    dimension_unit_for,
)

#: Shopify's placeholder option of a product without variants ("Title" / "Default Title").
DEFAULT_OPTION = ("Title", "Default Title")


def option_names(product: ProductSnapshot) -> tuple[str, ...]:
    """The option names that become TikTok sales attributes (none for a lone default variant)."""
    variants = product.variants
    if len(variants) <= 1 and all(v.options in ((), (DEFAULT_OPTION,)) for v in variants):
        return ()
    if product.option_names:
        return product.option_names
    seen: dict[str, None] = {}
    for v in product.sorted_variants:
        for name, _ in v.options:
            seen.setdefault(name, None)
    return tuple(seen)


def option_value(variant: VariantSnapshot, name: str) -> str:
    """The variant's value for an option ("" when it has none)."""
    return next((value for opt, value in variant.options if opt == name), "")


def _hosted(url: str | None, images: Mapping[str, UploadedImage]) -> UploadedImage | None:
    return images.get(url) if url else None


def sku_images(product: ProductSnapshot, images: Mapping[str, UploadedImage]) -> dict[str, str]:
    """`{first option value: TikTok uri}`, or {} unless every value of it has an uploaded image."""
    names = option_names(product)
    if not names:
        return {}
    found: dict[str, str | None] = {}
    for v in product.sorted_variants:
        value = option_value(v, names[0])
        hosted = _hosted(v.image_url, images)
        if found.get(value) is None:
            found[value] = hosted.uri if hosted else None
    if any(uri is None for uri in found.values()):
        return {}
    return {value: uri for value, uri in found.items() if uri is not None}


def _sales_attributes(
    variant: VariantSnapshot, names: tuple[str, ...], sku_img: Mapping[str, str]
) -> list[SalesAttributeInput]:
    attrs = []
    for i, name in enumerate(names):
        value = clean_text(option_value(variant, name))
        uri = sku_img.get(option_value(variant, name)) if i == 0 else None
        attrs.append(SalesAttributeInput(
            name=clean_text(name), value_name=value, sku_img=ImageRef(uri=uri) if uri else None,
        ))
    return attrs


def _price(amount: Decimal, region: RegionRules, prefs: ProductPrefs) -> PriceInput:
    """`amount` for local sellers, `sale_price` for cross-border ones (Create Product doc)."""
    text = pricing.format_amount(amount, region.currency_decimals)
    if prefs.seller_type == "CROSS_BORDER":
        return PriceInput(sale_price=text, currency=region.currency)
    return PriceInput(amount=text, currency=region.currency)


def _list_price(
    variant: VariantSnapshot, product: ProductSnapshot, prefs: ProductPrefs, region: RegionRules
) -> PriceInput | None:
    listed = pricing.sku_list_price(variant, prefs.price_rule, product.currency, region)
    if listed is None:
        return None
    return PriceInput(
        amount=pricing.format_amount(listed, region.currency_decimals), currency=region.currency
    )


def build_skus(
    product: ProductSnapshot,
    prefs: ProductPrefs,
    region: RegionRules,
    images: Mapping[str, UploadedImage],
    sku_ids: Mapping[str, str],
    include_identifier_codes: bool = True,
) -> list[SkuInput]:
    """One `SkuInput` per variant, in Shopify position order (the order of `skus[i]` paths)."""
    names = option_names(product)
    sku_img = sku_images(product, images)
    used_codes: set[str] = set()
    skus = []
    for v in product.sorted_variants:
        ident = identifier_for(v.barcode) if include_identifier_codes else None
        if ident is not None and ident[0] in used_codes:
            ident = None  # one code per SKU (`12052592`): the first variant keeps it
        if ident is not None:
            used_codes.add(ident[0])
        price = pricing.sku_price(v, prefs.price_rule, product.currency, region)
        skus.append(SkuInput(
            id=sku_ids.get(v.id),
            seller_sku=(v.sku or "").strip() or None,
            external_sku_id=v.id,
            sales_attributes=_sales_attributes(v, names, sku_img),
            price=_price(price, region, prefs),
            inventory=inventory.sku_inventory(v, prefs),
            identifier_code=IdentifierCode(code=ident[0], type=ident[1]) if ident else None,
            list_price=_list_price(v, product, prefs, region),
        ))
    return skus


def weight_unit(template: TemplateSpec, region: RegionRules) -> WeightUnit:
    """The template's weight unit if the region allows it, else the region's metric default."""
    unit = template.package_weight_unit
    return unit if unit in region.weight_units else region.default_weight_unit


def package_weight(
    product: ProductSnapshot, template: TemplateSpec, region: RegionRules
) -> Weight | None:
    """The template's package weight, else the heaviest variant's weight; None if neither."""
    unit = weight_unit(template, region)
    if template.package_weight is not None and template.package_weight > 0:
        value = convert_weight(template.package_weight, template.package_weight_unit, unit)
        return Weight(value=decimal_str(value), unit=unit)
    weighed = [
        convert_weight(v.weight, v.weight_unit, unit)
        for v in product.variants
        if v.weight is not None and v.weight > 0 and v.weight_unit is not None
    ]
    return Weight(value=decimal_str(max(weighed)), unit=unit) if weighed else None


def package_dimensions(template: TemplateSpec, region: RegionRules) -> Dimensions | None:
    """The template's dimensions in the unit matching the weight's measurement system."""
    dims = template.package_dimensions
    if dims is None:
        return None
    unit = dimension_unit_for(weight_unit(template, region))
    length, width, height = (
        decimal_str(convert_length(x, dims.unit, unit))
        for x in (dims.length, dims.width, dims.height)
    )
    return Dimensions(length=length, width=width, height=height, unit=unit)


def product_attributes(template: TemplateSpec) -> list[ProductAttributeInput]:
    """`product_attributes[]`: built-in value ids win over custom names (Create Product doc)."""
    result = []
    for attr in template.attributes:
        values = [
            {"id": v.id} if v.id else {"name": clean_text(v.name)}
            for v in attr.values
            if v.id or clean_text(v.name)
        ]
        if values:
            result.append(ProductAttributeInput(id=attr.attribute_id, values=values))
    return result


def main_images(
    product: ProductSnapshot, images: Mapping[str, UploadedImage], region: RegionRules
) -> list[ImageRef]:
    """The uploaded product images in gallery order, at most the region's maximum (9)."""
    refs = [ImageRef(uri=images[i.url].uri) for i in product.images if i.url in images]
    return refs[: region.main_images_max]


def description(
    product: ProductSnapshot, images: Mapping[str, UploadedImage], region: RegionRules
) -> str:
    """Sanitized `body_html`, or the title as a paragraph when nothing is left of it."""
    html = sanitize_description(product.body_html, images, region.description_max_images)
    if html:
        return html
    title = clean_text(product.title).replace("<", "‹").replace(">", "›")
    return f"<p>{title}</p>" if title else ""


def size_chart(template: TemplateSpec) -> dict[str, Any] | None:
    """`size_chart`: the chosen TikTok size-chart template, else the uploaded image (Create
    Product doc: `size_chart.template.id` or `size_chart.image.uri`)."""
    if template.size_chart_template_id:
        return {"template": {"id": template.size_chart_template_id}}
    if template.size_chart_image_uri:
        return {"image": {"uri": template.size_chart_image_uri}}
    return None


def certifications(template: TemplateSpec) -> list[dict[str, Any]] | None:
    """`certifications[]`: each with its images and files; one without either is left out."""
    out = []
    for cert in template.certifications:
        if not cert.has_proof:
            continue
        item: dict[str, Any] = {"id": cert.id}
        if cert.image_uris:
            item["images"] = [{"uri": uri} for uri in cert.image_uris]
        if cert.files:
            item["files"] = [{"id": f.id, "name": f.name, "format": f.format}
                             for f in cert.files]
        if cert.expiration_date is not None:
            item["expiration_date"] = cert.expiration_date
        out.append(item)
    return out or None


def compliance_fields(template: TemplateSpec, region: RegionRules) -> dict[str, list[str]]:
    """The EU-only `manufacturer_ids` / `responsible_person_ids` (GPSR), when set."""
    extras: dict[str, list[str]] = {}
    if region.eu_gpsr and template.manufacturer_ids:
        extras["manufacturer_ids"] = list(template.manufacturer_ids)
    if region.eu_gpsr and template.responsible_person_ids:
        extras["responsible_person_ids"] = list(template.responsible_person_ids)
    return extras


def map_product(
    product: ProductSnapshot,
    template: TemplateSpec,
    prefs: ProductPrefs,
    region: RegionRules,
    *,
    images: Mapping[str, UploadedImage] | None = None,
    sku_ids: Mapping[str, str] | None = None,
    include_identifier_codes: bool = True,
) -> ProductUpsert:
    """The full Create / Edit Product body for a Shopify product under a template.

    Called by the product sync use-case after uploading images (`images`: Shopify URL →
    upload result) and, for an edit, with `sku_ids` (Shopify variant id → TikTok SKU id) so
    existing SKUs are kept (an Edit deletes omitted SKUs, reference §4.3). Pass
    `include_identifier_codes=False` on edits of submitted products: identifier codes can only
    change in DRAFT (Create Product doc). Raises `pricing.PricingError` without an exchange
    rate for a foreign currency; run `preflight.validate` first.
    """
    uploaded = images or {}
    extras = compliance_fields(template, region)
    attrs = product_attributes(template)
    body = ProductUpsert(
        title=clean_text(product.title),
        description=description(product, uploaded, region),
        category_id=template.category_id,
        category_version=template.category_version or region.category_version,
        brand_id=template.brand_id or None,
        main_images=main_images(product, uploaded, region),
        skus=build_skus(product, prefs, region, uploaded, sku_ids or {}, include_identifier_codes),
        package_weight=package_weight(product, template, region),
        package_dimensions=package_dimensions(template, region),
        product_attributes=attrs or None,
        external_product_id=product.id,
        size_chart=size_chart(template),
        certifications=certifications(template),
    )
    for key, value in extras.items():
        setattr(body, key, value)
    return body


def price_updates(
    product: ProductSnapshot, prefs: ProductPrefs, region: RegionRules, sku_ids: Mapping[str, str]
) -> list[SkuPriceUpdate]:
    """Update Price body items for the variants already on TikTok (reference §4.3)."""
    items = []
    for v in product.sorted_variants:
        if v.id not in sku_ids:
            continue
        price = pricing.sku_price(v, prefs.price_rule, product.currency, region)
        item = SkuPriceUpdate(id=sku_ids[v.id], price=_price(price, region, prefs))
        listed = _list_price(v, product, prefs, region)
        if listed is not None:
            setattr(item, "list_price", listed)  # noqa: B010 - pydantic extra; US only (Update Price doc)
        items.append(item)
    return items


def inventory_updates(
    product: ProductSnapshot, prefs: ProductPrefs, sku_ids: Mapping[str, str]
) -> list[SkuInventoryUpdate]:
    """Update Inventory body items (every warehouse per SKU, `12019028`) for known SKUs."""
    return [
        SkuInventoryUpdate(id=sku_ids[v.id], inventory=inventory.sku_inventory(v, prefs))
        for v in product.sorted_variants
        if v.id in sku_ids
    ]
