"""Shared pieces of product validation: the documented codes and the error helper."""

from __future__ import annotations

from ecomsend.sandbox.tiktok.errors import ApiError

C = {  # Create Product error codes used below (Create Product doc error list).
    "bad_params": 12052910, "category_format": 12052002, "category_missing": 12052023,
    "category_not_leaf": 12052024, "category_version": 12052230, "category_restricted": 12052223,
    "title_empty": 12052261, "title_long": 12052051, "desc_required": 12052015,
    "desc_long": 12052013, "desc_images": 12052056, "image_required": 12052028,
    "image_count": 12052306, "image_uri": 12052300, "brand_missing": 12052026,
    "brand_expired": 12052200, "brand_unauthorized": 12052201, "attr_required": 12052104,
    "attr_value": 12052529, "attr_numeric": 12052256, "attr_multi": 12052246,
    "cert_required": 12052105, "size_chart": 12052673, "manufacturer": 12052282,
    "responsible_person": 12052287, "weight": 12019011, "weight_format": 12052006,
    "weight_zero": 12052181, "size": 12019012, "height": 12052003, "width": 12052004,
    "length": 12052005, "imperial": 12019061, "unit_mismatch": 12052915, "sku_count": 12052050,
    "seller_sku_long": 12052054, "seller_sku_invalid": 12019059, "sales_attr_max": 12052525,
    "sales_attr_all": 12052550, "sales_attr_dup": 12052560, "sales_attr_id": 12052527,
    "price_missing": 12052571, "price_invalid": 12052073, "price_range": 12052570,
    "currency": 12052084, "no_warehouse": 12019022, "warehouse_missing": 12052097,
    "warehouse_foreign": 12052530, "warehouse_not_delivery": 12052532, "quantity": 12052055,
    "identifier": 12052591, "attr_name_long": 12052242, "value_name_long": 12052249,
    "sku_img_many": 12052528, "list_price_region": 12052376, "list_price_invalid": 12052375,
}
#: At most 3 sales attribute types per product (reference §4.2).
MAX_SALES_ATTRIBUTES = 3
#: Custom sales attribute names ≤ 20 characters, value names ≤ 50 (reference §4.2).
CUSTOM_NAME_MAX = 20
CUSTOM_VALUE_MAX = 50
#: GTIN lengths accepted for identifier_code (GTIN-8/12/13/14).
GTIN_LENGTHS = (8, 12, 13, 14)


def fail(key: str, message: str) -> ApiError:
    """An ApiError for a validation key."""
    return ApiError(C[key], message)
