"""The pure, typed, I/O-free core of product sync (issue 6; DESIGN.md §2 "mapping is pure").

- `types`: immutable inputs (`ProductSnapshot`, `TemplateSpec`, `ProductPrefs`, rules);
  `converters`: ORM rows and settings JSON → those inputs.
- `regions`: the nine markets' rules; `pricing`, `inventory`: the merchant's rules.
- `selection`: which category template takes which product; `recommend`: offline category
  recommendation from a TikTok category tree.
- `mapping`: `map_product` → the TikTok client's `ProductUpsert`, plus price/inventory updates;
  `changes`: `payload_hash`, `classify_change`, `push_kind`.
- `preflight`: `validate` → `FieldError`s a merchant can act on.
The I/O use-cases (upload images, call TikTok, record sync state) live outside this package.
"""

from ecomsend.sync.products.changes import classify_change, payload_hash, push_kind
from ecomsend.sync.products.mapping import inventory_updates, map_product, price_updates
from ecomsend.sync.products.preflight import validate
from ecomsend.sync.products.recommend import CategoryCandidate, recommend_categories
from ecomsend.sync.products.regions import REGIONS, RegionRules, region_rules
from ecomsend.sync.products.selection import SelectionPreview, preview, select_template
from ecomsend.sync.products.types import (
    AutoField,
    CompareAtMode,
    ImageSnapshot,
    InventoryRule,
    PackageDimensions,
    PriceRounding,
    PriceRule,
    ProductPrefs,
    ProductSnapshot,
    SelectionRule,
    TemplateAttribute,
    TemplateSpec,
    UploadedImage,
    VariantSnapshot,
)

__all__ = [
    "REGIONS",
    "AutoField",
    "CategoryCandidate",
    "CompareAtMode",
    "ImageSnapshot",
    "InventoryRule",
    "PackageDimensions",
    "PriceRounding",
    "PriceRule",
    "ProductPrefs",
    "ProductSnapshot",
    "RegionRules",
    "SelectionPreview",
    "SelectionRule",
    "TemplateAttribute",
    "TemplateSpec",
    "UploadedImage",
    "VariantSnapshot",
    "classify_change",
    "inventory_updates",
    "map_product",
    "payload_hash",
    "preview",
    "price_updates",
    "push_kind",
    "recommend_categories",
    "region_rules",
    "select_template",
    "validate",
]
