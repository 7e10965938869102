"""Pre-flight validation: everything TikTok would refuse that we can know before pushing.

`validate` is called by the product sync use-case before any create/edit (a non-empty result
means `failed` with these field errors, no API call) and by the manual-sync API to show the
merchant what to fill in. Each problem is a `FieldError(field, message, fix)` in plain words.
It checks what `mapping.map_product` would send, measured the same way (cleaned title,
sanitized description, converted package), against `RegionRules` and TikTok's category
attributes and rules (Get Attributes / Get Category Rules, parsed by the TikTok client).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from urllib.parse import urlparse

from ecomsend.integrations.tiktok.models.catalog import (
    Attribute,
    CategoryRules,
    RequirementCondition,
)
from ecomsend.regions import UnknownRegion, region_code
from ecomsend.sync.errors import FieldError
from ecomsend.sync.products import mapping
from ecomsend.sync.products.preflight_attributes import check_attributes
from ecomsend.sync.products.preflight_skus import (
    check_inventory,
    check_prices,
    check_sales_attributes,
    check_seller_skus,
    check_sku_count,
)
from ecomsend.sync.products.regions import IMAGE_FORMATS, RegionRules
from ecomsend.sync.products.text import (
    clean_text,
    has_han,
    html_text,
    only_symbols,
    repeated_run,
)
from ecomsend.sync.products.types import (
    ProductPrefs,
    ProductSnapshot,
    TemplateSpec,
    UploadedImage,
)

_EDIT_TITLE = "Edit the product title in Shopify."
_EDIT_DESCRIPTION = "Edit the product description in Shopify."


def check_title(product: ProductSnapshot, region: RegionRules) -> list[FieldError]:
    """Length in characters (after clean-up) and TikTok's formatting rules (`12052931`)."""
    title = clean_text(product.title)
    n = len(title)
    if n < region.title_min:
        what = "empty" if n == 0 else f"{n} characters"
        return [FieldError("title", f"Title is {what} once emoji and symbols TikTok refuses are "
                           f"removed; TikTok {region.code} needs at least {region.title_min}.",
                           _EDIT_TITLE)]
    errors = []
    if n > region.title_max:
        errors.append(FieldError("title", f"Title is {n} characters; TikTok {region.code} allows "
                                 f"at most {region.title_max}. Shorten the product title in "
                                 "Shopify.", _EDIT_TITLE))
    if only_symbols(title):
        errors.append(FieldError("title", "Title has no letters or digits.", _EDIT_TITLE))
    run = repeated_run(title)
    if run:
        errors.append(FieldError("title", f"Title repeats “{run[0]}” {len(run)} times in a row; "
                                 "TikTok refuses 9 or more.", _EDIT_TITLE))
    if not region.allows_han and has_han(title):
        errors.append(FieldError("title", f"Title contains Chinese characters, which TikTok "
                                 f"{region.code} refuses.", _EDIT_TITLE))
    return errors


def check_description(
    product: ProductSnapshot,
    region: RegionRules,
    images: Mapping[str, UploadedImage] | None = None,
) -> list[FieldError]:
    """Length of the HTML TikTok would receive, and the rules on its visible text.

    Without the upload map, description images are not counted (they are dropped until
    uploaded); pass it for the exact length.
    """
    html = mapping.description(product, images or {}, region)
    errors = []
    if not html:
        return [FieldError("description", "The product has no description and no title.",
                           _EDIT_DESCRIPTION)]
    if len(html) > region.description_max:
        errors.append(FieldError(
            "description", f"Description is {len(html):,} characters once cleaned for TikTok; "
            f"TikTok allows at most {region.description_max:,}.", _EDIT_DESCRIPTION))
    text = html_text(html)
    run = repeated_run(text.replace(" ", ""))
    if run and run[0].isalnum():
        errors.append(FieldError("description", f"Description repeats “{run[0]}” {len(run)} "
                                 "times in a row; TikTok refuses 9 or more.", _EDIT_DESCRIPTION))
    if not region.allows_han and has_han(text):
        errors.append(FieldError("description", f"Description contains Chinese characters, "
                                 f"which TikTok {region.code} refuses.", _EDIT_DESCRIPTION))
    return errors


def image_format(url: str) -> str | None:
    """The file extension of an image URL ("jpg"), or None when it has none."""
    suffix = PurePosixPath(urlparse(url).path).suffix.lower().lstrip(".")
    return suffix or None


def check_images(
    product: ProductSnapshot, images: Mapping[str, UploadedImage] | None = None
) -> list[FieldError]:
    """At least one image (`12052028`); every image in a format TikTok accepts (reference §4.5).

    More than the region's maximum is fine: mapping sends the first ones. With the upload map,
    at least one product image must have reached TikTok.
    """
    if not product.images:
        return [FieldError("main_images", "The product has no images; TikTok needs at least one.",
                           "Add a product image in Shopify.")]
    if images is not None and not any(i.url in images for i in product.images):
        return [FieldError("main_images", "None of the product's images could be uploaded to "
                           "TikTok.", "Check that the images open in Shopify, then retry.")]
    errors = []
    for i, image in enumerate(product.images):
        fmt = image_format(image.url)
        if fmt is not None and fmt not in IMAGE_FORMATS:
            errors.append(FieldError(
                f"main_images[{i}]", f"Image {i + 1} is a {fmt.upper()} file; TikTok accepts "
                "JPG, PNG, WEBP, HEIC and BMP.", f"Replace image {i + 1} in Shopify with a JPG "
                "or PNG."))
    return errors


def check_package(
    product: ProductSnapshot,
    template: TemplateSpec,
    region: RegionRules,
    rules: CategoryRules | None,
) -> list[FieldError]:
    """Package weight always (Create Product: required, > 0); dimensions when the category's
    rules require them, and positive whenever the template sets them."""
    errors = []
    if mapping.package_weight(product, template, region) is None:
        errors.append(FieldError(
            "package_weight", "No package weight: the template sets none and no variant has a "
            "weight.", f"Set the package weight in the category template “{template.name}” or "
            "the variant weights in Shopify."))
    errors += check_units(template, region)
    dims = template.package_dimensions
    fix = f"Set the package length, width and height in the category template “{template.name}”."
    if dims is None:
        if rules is not None and rules.package_dimension and rules.package_dimension.is_required:
            errors.append(FieldError("package_dimensions", "TikTok requires package dimensions "
                                     "for this category.", fix))
    elif min(dims.length, dims.width, dims.height) <= 0:
        errors.append(FieldError("package_dimensions", "Package length, width and height must "
                                 "all be greater than 0.", fix))
    return errors


def check_units(template: TemplateSpec, region: RegionRules) -> list[FieldError]:
    """Package units the region takes (Create Product doc, `package_weight.unit`: US KILOGRAM
    or POUND, JP/MX also GRAM, elsewhere KILOGRAM; dimensions INCH only in the US, `12019061`).
    Mapping would convert; the merchant is told so the form shows the region's units."""
    errors = []
    words = {"KILOGRAM": "kg", "GRAM": "g", "POUND": "lb", "CENTIMETER": "cm", "INCH": "in"}
    where = f"in the category template “{template.name}”"
    if template.package_weight is not None and \
            template.package_weight_unit not in region.weight_units:
        allowed = " or ".join(words[u] for u in region.weight_units)
        errors.append(FieldError(
            "package_weight_unit", f"TikTok {region.code} takes package weights in {allowed}, "
            f"not {words[template.package_weight_unit]}.",
            f"Enter the weight in {allowed} {where}."))
    dims = template.package_dimensions
    if dims is not None and dims.unit not in region.dimension_units:
        allowed = " or ".join(words[u] for u in region.dimension_units)
        errors.append(FieldError(
            "package_dimensions.unit", f"TikTok {region.code} takes package dimensions in "
            f"{allowed}, not {words[dims.unit]}.", f"Enter length, width and height in {allowed} "
            f"{where}."))
    return errors


def _condition_met(conditions: Iterable[RequirementCondition], template: TemplateSpec) -> bool:
    chosen = {(a.attribute_id, v.id) for a in template.attributes for v in a.values if v.id}
    return any((c.attribute_id, c.attribute_value_id) in chosen for c in conditions)


def check_certifications(template: TemplateSpec, rules: CategoryRules) -> list[FieldError]:
    """Each required certification has an image or file; none the category doesn't list
    (TikTok: `12052105` required qualification miss, `12052655` qualification id not exist)."""
    given = {c.id: c for c in template.certifications}
    errors = []
    for cert in rules.product_certifications:
        name = cert.name or cert.id
        if not (cert.is_required or _condition_met(cert.requirement_conditions, template)):
            continue
        if not (cert.id in given and given[cert.id].has_proof):
            errors.append(FieldError(
                f"certifications.{cert.id}",
                f"TikTok requires the “{name}” certification for this category.",
                f"Upload the {name} (PDF or image) under Certifications in the category "
                f"template “{template.name}”."))
        elif (cert.expiration_date and cert.expiration_date.is_required
              and given[cert.id].expiration_date is None):
            errors.append(FieldError(
                f"certifications.{cert.id}.expiration_date",
                f"TikTok needs the expiry date of the “{name}” certificate.",
                f"Enter its expiry date next to the files in the category template "
                f"“{template.name}”."))
    listed = {c.id for c in rules.product_certifications}
    for extra in template.certifications:
        if extra.id not in listed and extra.has_proof:
            errors.append(FieldError(
                f"certifications.{extra.id}", f"The “{extra.name or extra.id}” certification "
                "does not belong to this category; TikTok refuses it.",
                f"Remove it from the category template “{template.name}”."))
    return errors


def check_category_rules(
    template: TemplateSpec, region: RegionRules, rules: CategoryRules | None
) -> list[FieldError]:
    """Certifications, size chart and EU manufacturer / responsible person the category needs."""
    if rules is None:
        return []
    errors = check_certifications(template, rules)
    has_chart = bool(template.size_chart_template_id or template.size_chart_image_uri)
    if rules.size_chart and rules.size_chart.is_required and not has_chart:
        errors.append(FieldError(
            "size_chart", "TikTok requires a size chart for this category.",
            f"Choose one of your TikTok size charts or upload a size-chart image in the "
            f"category template “{template.name}”."))
    gpsr = (("manufacturer", rules.manufacturer, template.manufacturer_ids),
            ("responsible_person", rules.responsible_person, template.responsible_person_ids))
    for key, req, ids in gpsr:
        if region.eu_gpsr and req is not None and req.is_required and not ids:
            words = key.replace("_", " ")
            errors.append(FieldError(
                f"{key}_ids", f"TikTok {region.code} requires the product's {words} (EU product "
                "safety rules, GPSR) for this category.",
                f"Pick a {words} from TikTok or create one in the category template "
                f"“{template.name}”."))
    return errors


def _canonical(code: str) -> str:
    """A template's region in canonical form (`UK` → `GB`); an unknown code stays as given."""
    try:
        return region_code(code)
    except UnknownRegion:
        return code


def check_category(template: TemplateSpec, region: RegionRules) -> list[FieldError]:
    """The template names a TikTok category and belongs to this shop's region."""
    errors = []
    if not template.category_id.strip():
        errors.append(FieldError(
            "category_id", f"The category template “{template.name}” has no TikTok category.",
            f"Choose a category in the template “{template.name}”."))
    code = template.region.strip()
    if code and _canonical(code) != region.code:
        errors.append(FieldError(
            "category_id", f"The category template “{template.name}” is for TikTok "
            f"{template.region}, not TikTok {region.code}.",
            f"Use a {region.code} category template for this shop."))
    return errors


def validate(
    product: ProductSnapshot,
    template: TemplateSpec,
    prefs: ProductPrefs,
    region_rules: RegionRules,
    category_attributes: Sequence[Attribute],
    category_rules: CategoryRules | None,
    *,
    listing_skus: Mapping[str, str] | None = None,
    images: Mapping[str, UploadedImage] | None = None,
) -> list[FieldError]:
    """Every reason TikTok would refuse this product under this template, in merchant words.

    `listing_skus` maps SKUs used by other products of the same TikTok shop to a display name
    ("“Blue mug”"), for the across-the-listing uniqueness check; `images` is the upload map
    `map_product` will get (Shopify URL → TikTok upload), when already known. Empty list: safe
    to push.
    """
    region = region_rules
    return [
        *check_category(template, region),
        *check_title(product, region),
        *check_description(product, region, images),
        *check_images(product, images),
        *check_package(product, template, region, category_rules),
        *check_attributes(template, category_attributes, region),
        *check_category_rules(template, region, category_rules),
        *check_sku_count(product, region),
        *check_sales_attributes(product, region),
        *check_seller_skus(product, listing_skus or {}),
        *check_prices(product, prefs, region),
        *check_inventory(product, prefs),
    ]
