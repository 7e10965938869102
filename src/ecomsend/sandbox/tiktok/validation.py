"""Create/Edit Product validation with the documented codes (reference §3.3, §4.2).

The first problem found is answered, like TikTok does, with a message naming the field path.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ecomsend.sandbox.tiktok.catalog_api import category_version
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.markets import (
    DESCRIPTION_MAX,
    DESCRIPTION_MAX_IMAGES,
    MAX_MAIN_IMAGES,
    Market,
    market,
)
from ecomsend.sandbox.tiktok.refdata import Category, RegionCatalog, catalog
from ecomsend.sandbox.tiktok.state import Shop
from ecomsend.sandbox.tiktok.validation_common import fail
from ecomsend.sandbox.tiktok.validation_rules import check_rules
from ecomsend.sandbox.tiktok.validation_skus import check_package, check_skus

_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)


def validate_product(sb: Sandbox, shop: Shop, body: dict[str, Any]) -> tuple[RegionCatalog,
                                                                             Category]:
    """Raise the first documented error in a Create/Edit Product body."""
    m = market(shop.region)
    cat, node = check_category(shop, body)
    check_title(m, body)
    check_description(body)
    check_images(sb, body)
    check_brand(cat, body)
    check_product_attributes(cat, node, body)
    rules = cat.rules(node.id)
    check_rules(sb, shop, rules, body)
    check_package(m, rules, body)
    check_skus(sb, shop, m, cat, node, body)
    return cat, node


def check_category(shop: Shop, body: dict[str, Any]) -> tuple[RegionCatalog, Category]:
    """category_id must be a leaf of the tree named by category_version (US: v2)."""
    cid = body.get("category_id")
    if not isinstance(cid, str) or not cid.isdigit():
        raise fail("category_format", "Incorrect category format: category_id must be a "
                   "string of digits.")
    version = category_version(shop, body.get("category_version"))
    cat = catalog(shop.region, version)
    node = cat.categories.get(cid)
    if node is None:
        other = catalog(shop.region, "v2" if version == "v1" else "v1")
        if cid in other.categories:
            raise fail("category_version", f"The specified category ID {cid} is not a leaf "
                       f"category, or it does not belong to the specified category version "
                       f"{version}.")
        raise fail("category_missing", f"Category does not exist: category_id {cid}.")
    if not node.is_leaf:
        raise fail("category_not_leaf", f"Category is not final category: category_id {cid}.")
    if node.permission == "INVITE_ONLY":
        raise fail("category_restricted", f"This category is restricted (category_id {cid}). "
                   "To sell in this category, apply through the Qualification Center.")
    return cat, node


def check_title(m: Market, body: dict[str, Any]) -> None:
    """title: [1, 255] characters (MX [1, 300])."""
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title_empty", "product name is empty: title is required.")
    if len(title) > m.title_max:
        raise fail("title_long", f"The product name exceed max limit characters: title has "
                   f"{len(title)} characters, the limit in {m.region} is {m.title_max}.")


def check_description(body: dict[str, Any]) -> None:
    """description: required, ≤ 10,000 characters, ≤ 30 <img> tags."""
    desc = body.get("description")
    if not isinstance(desc, str) or not desc.strip():
        raise fail("desc_required", "The product description is required: description.")
    if len(desc) > DESCRIPTION_MAX:
        raise fail("desc_long", f"The product description cannot exceed maximum characters: "
                   f"description has {len(desc)} characters, the limit is {DESCRIPTION_MAX}.")
    if len(_IMG_TAG.findall(desc)) > DESCRIPTION_MAX_IMAGES:
        raise fail("desc_images", f"The num of image in description cannot exceed max limit "
                   f"({DESCRIPTION_MAX_IMAGES}).")


def check_images(sb: Sandbox, body: dict[str, Any]) -> None:
    """main_images: 1–9 uris returned by Upload Product Image."""
    images = body.get("main_images")
    if not isinstance(images, list) or not images:
        raise fail("image_required", "Main product image is required: main_images is empty.")
    if len(images) > MAX_MAIN_IMAGES:
        raise fail("image_count", f"main product images count exceed limit: {len(images)} "
                   f"images, at most {MAX_MAIN_IMAGES}.")
    for i, img in enumerate(images):
        uri = img.get("uri") if isinstance(img, dict) else None
        if not isinstance(uri, str) or uri not in sb.store.images:
            raise fail("image_uri", f"product main image uri illegal: main_images[{i}].uri "
                       f"{uri!r} was not returned by Upload Product Image.")


def check_brand(cat: RegionCatalog, body: dict[str, Any]) -> None:
    """brand_id (optional) must exist, be available and be authorized if it is a T1 brand."""
    brand_id = body.get("brand_id")
    if not brand_id:
        return
    brand = cat.brands_by_id.get(str(brand_id))
    if brand is None:
        raise fail("brand_missing", f"Brand does not exist: brand_id {brand_id}.")
    if brand.brand_status != "AVAILABLE":
        raise fail("brand_expired", f"brand is expired: brand_id {brand_id}.")
    if brand.is_t1_brand and brand.authorized_status != "AUTHORIZED":
        raise fail("brand_unauthorized", f"You are not authorized to sell this brand in this "
                   f"category: brand_id {brand_id}. Apply through the Qualification Center.")


def _given_attributes(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """product_attributes of a body by attribute id."""
    out: dict[str, list[dict[str, Any]]] = {}
    for attr in body.get("product_attributes") or []:
        if isinstance(attr, dict) and attr.get("id"):
            out[str(attr["id"])] = [v for v in attr.get("values") or [] if isinstance(v, dict)]
    return out


def check_product_attributes(cat: RegionCatalog, node: Category, body: dict[str, Any]) -> None:
    """Required product attributes (`is_requried`) must carry a value; values must be valid."""
    given = _given_attributes(body)
    for attr in cat.attributes(node.id):
        if attr.type != "PRODUCT_PROPERTY":
            continue
        values = given.get(attr.id, [])
        if attr.is_required and not values:
            raise fail("attr_required", f"property is required: product_attributes is missing "
                       f"'{attr.name}' (id {attr.id}), required in category {node.id}.")
        if len(values) > 1 and not attr.is_multiple_selection:
            raise fail("attr_multi", f"The product property not support multi selected, "
                       f"attribute id is :{attr.id}.")
        known = {vid for vid, _ in attr.values}
        for v in values:
            if attr.value_data_format and not _is_positive_number(v.get("name")):
                raise fail("attr_numeric", f"The '{attr.name}' value need to be positive "
                           f"integers or positive decimals (attribute {attr.id}).")
            if v.get("id") and str(v["id"]) not in known:
                raise fail("attr_value", f"The property value id not exist: {v['id']} for "
                           f"'{attr.name}' (id {attr.id}).")
            if not v.get("id") and not (attr.is_customizable and v.get("name")):
                raise fail("attr_value", f"The property value id not exist: '{attr.name}' "
                           f"(id {attr.id}) takes a value id from Get Attributes.")


def _is_positive_number(raw: Any) -> bool:
    """Whether a value reads as a positive number."""
    try:
        return Decimal(str(raw)) > 0
    except InvalidOperation:
        return False
