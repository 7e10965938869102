"""Typed, immutable inputs of the pure product-sync core (DESIGN.md §2: mapping is pure).

The use-cases build these from the database mirror (`converters.py`) or from the Shopify client's
models, then hand them to `mapping`, `preflight`, `selection`, `pricing` and `inventory`. Nothing
here touches I/O, the ORM or the clock, so every rule can be unit-tested on plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal

#: Shopify's variant weight units (`WeightUnit` enum of the Admin API, reference/shopify-api.md §7).
ShopifyWeightUnit = Literal["GRAMS", "KILOGRAMS", "OUNCES", "POUNDS"]
#: TikTok package weight units (Create Product doc, `package_weight.unit`).
WeightUnit = Literal["KILOGRAM", "GRAM", "POUND"]
#: TikTok package dimension units (Create Product doc, `package_dimensions.unit`).
DimensionUnit = Literal["CENTIMETER", "INCH"]
#: What a seller is for TikTok (Get Authorized Shops `seller_type`, reference §7).
SellerType = Literal["LOCAL", "CROSS_BORDER"]


class AutoField(StrEnum):
    """The product fields a merchant can choose to keep updated automatically (issue 6)."""

    TITLE = "title"
    DESCRIPTION = "description"
    IMAGES = "images"
    PRICE = "price"
    INVENTORY = "inventory"
    VARIANTS = "variants"


#: Everything auto-updates unless the merchant turns it off.
ALL_AUTO_FIELDS: frozenset[AutoField] = frozenset(AutoField)


@dataclass(frozen=True, slots=True)
class ImageSnapshot:
    """One Shopify product image (its CDN URL) in gallery order."""

    url: str
    alt: str | None = None


@dataclass(frozen=True, slots=True)
class UploadedImage:
    """What TikTok's Upload Product Image returned for one Shopify image URL (reference §4.5).

    Product payloads only accept TikTok-hosted `uri`s; description `<img>` tags need the hosted
    `url` with `width` and `height` (Create Product doc, `description`). The I/O use-case uploads
    and passes a `{shopify_url: UploadedImage}` map to `map_product`.
    """

    uri: str
    url: str | None = None
    width: int | None = None
    height: int | None = None


class PriceSource(StrEnum):
    """Where a TikTok price starts from (shown on the Products page and the product detail)."""

    #: The store sells in the TikTok shop's currency: the Shopify price as it is.
    STORE = "store_currency"
    #: The merchant's own Shopify Markets price for the region's country (contextual pricing).
    MARKETS = "shopify_markets"
    #: The store's price converted at the exchange rate typed in the price rule (the fallback).
    EXCHANGE_RATE = "exchange_rate"


@dataclass(frozen=True, slots=True)
class MarketPrice:
    """A variant's Shopify Markets price for one buyer country (`contextualPricing`)."""

    price: Decimal
    compare_at_price: Decimal | None
    #: ISO 4217; the store's currency when no market sells in that country.
    currency: str


@dataclass(frozen=True, slots=True)
class VariantSnapshot:
    """One Shopify variant = one TikTok SKU, with its stock per Shopify location."""

    id: str
    price: Decimal
    sku: str | None = None
    barcode: str | None = None
    compare_at_price: Decimal | None = None
    position: int = 1
    #: (option name, value) pairs in the product's option order.
    options: tuple[tuple[str, str], ...] = ()
    image_url: str | None = None
    weight: Decimal | None = None
    weight_unit: ShopifyWeightUnit | None = None
    inventory_item_id: str | None = None
    #: (Shopify location id, available) pairs; negative `available` is possible in Shopify.
    stock: tuple[tuple[str, int], ...] = ()
    #: The Shopify Markets price for the connection's country, when the job fetched it.
    market: MarketPrice | None = None

    @property
    def stock_by_location(self) -> dict[str, int]:
        """`stock` as a dict (a location listed twice keeps its last value)."""
        return dict(self.stock)


@dataclass(frozen=True, slots=True)
class ProductSnapshot:
    """A Shopify product as the mirror knows it: everything TikTok mapping and selection read."""

    id: str
    title: str
    body_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    #: Shopify standard-taxonomy category (full name, e.g. "Apparel & Accessories > Clothing").
    category: str | None = None
    status: str = "ACTIVE"
    tags: tuple[str, ...] = ()
    #: Collection titles (or handles) the product belongs to.
    collections: tuple[str, ...] = ()
    #: Option names in Shopify's order (at most 3 in Shopify).
    option_names: tuple[str, ...] = ()
    images: tuple[ImageSnapshot, ...] = ()
    variants: tuple[VariantSnapshot, ...] = ()
    #: ISO 4217 code of the Shopify store currency (prices are in it).
    currency: str = "USD"

    @property
    def sorted_variants(self) -> tuple[VariantSnapshot, ...]:
        """Variants in Shopify position order (ties by id): the order of TikTok `skus[]`."""
        return tuple(sorted(self.variants, key=lambda v: (v.position, v.id)))


SelectionField = Literal["collection", "product_type", "vendor", "tag", "title"]
SelectionOp = Literal["equals", "contains"]
MatchMode = Literal["all", "any"]


@dataclass(frozen=True, slots=True)
class SelectionRule:
    """One template selection rule, e.g. `tag contains "summer"` (issue 6)."""

    field: SelectionField
    op: SelectionOp
    value: str


@dataclass(frozen=True, slots=True)
class AttributeValueSpec:
    """One value of a product attribute: a built-in `id` or a custom `name` (Create Product doc)."""

    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateAttribute:
    """A product attribute value set in a template (`product_attributes[]` of Create Product)."""

    attribute_id: str
    values: tuple[AttributeValueSpec, ...]
    #: Display name, for messages only.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PackageDimensions:
    """Package length/width/height as whole numbers in one unit."""

    length: Decimal
    width: Decimal
    height: Decimal
    unit: DimensionUnit = "CENTIMETER"


@dataclass(frozen=True, slots=True)
class CertificationFile:
    """A PDF (or video) Upload Product File returned: products reference `{id, name, format}`."""

    id: str
    name: str
    format: str


@dataclass(frozen=True, slots=True)
class CertificationSpec:
    """One certification the category lists (Get Category Rules `product_certifications[].id`),
    with the uploaded images (`uri`s) and files that prove it (Create Product `certifications`)."""

    id: str
    name: str | None = None
    image_uris: tuple[str, ...] = ()
    files: tuple[CertificationFile, ...] = ()
    #: Unix seconds the certificate expires (sent when the rule asks for it).
    expiration_date: int | None = None

    @property
    def has_proof(self) -> bool:
        """True when at least one image or file is attached (TikTok needs one)."""
        return bool(self.image_uris or self.files)


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """A category template: TikTok category, attributes, brand, package and selection rules."""

    id: str
    name: str
    region: str
    category_id: str
    category_version: str | None = None
    category_name: str | None = None
    attributes: tuple[TemplateAttribute, ...] = ()
    brand_id: str | None = None
    package_weight: Decimal | None = None
    package_weight_unit: WeightUnit = "KILOGRAM"
    package_dimensions: PackageDimensions | None = None
    rules: tuple[SelectionRule, ...] = ()
    match_mode: MatchMode = "all"
    #: Lower number = considered first (1 before 2); ties broken by template id.
    priority: int = 0
    active: bool = True
    is_default: bool = False
    size_chart_template_id: str | None = None
    #: An uploaded SIZE_CHART_IMAGE `uri`; used when no size-chart template is chosen.
    size_chart_image_uri: str | None = None
    certifications: tuple[CertificationSpec, ...] = ()
    manufacturer_ids: tuple[str, ...] = ()
    responsible_person_ids: tuple[str, ...] = ()


class PriceRounding(StrEnum):
    """How the final TikTok price is rounded (never below the computed price)."""

    NONE = "none"
    END_99 = "99"
    END_95 = "95"
    WHOLE = "whole"


class CompareAtMode(StrEnum):
    """What the Shopify compare-at price becomes on TikTok."""

    #: Not sent.
    IGNORE = "ignore"
    #: Sent as `list_price` (the struck-through original price; US only, Create Product doc).
    LIST_PRICE = "list_price"
    #: Used as the base of the TikTok price instead of the Shopify price, when it is higher.
    AS_PRICE = "as_price"


@dataclass(frozen=True, slots=True)
class PriceRule:
    """Markup, rounding, compare-at use and currency conversion (issue 6, automatic updates).

    `markup_kind="fixed"` adds `markup` in the TikTok shop's currency (after conversion);
    `"percent"` multiplies by `1 + markup/100`. `exchange_rate` is TikTok-currency units per one
    store-currency unit and is required when the currencies differ.
    """

    markup_kind: Literal["none", "percent", "fixed"] = "none"
    markup: Decimal = Decimal(0)
    rounding: PriceRounding = PriceRounding.NONE
    compare_at: CompareAtMode = CompareAtMode.IGNORE
    exchange_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InventoryRule:
    """How much of the Shopify stock TikTok may sell (issue 6, automatic updates).

    Per TikTok warehouse: `available` (sum of its mapped locations) minus `reserve`, times
    `percent`/100 rounded down; `available <= out_of_stock_threshold` gives 0; capped at `maximum`.
    """

    percent: Decimal = Decimal(100)
    reserve: int = 0
    out_of_stock_threshold: int = 0
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class ProductPrefs:
    """The product settings of one TikTok shop connection (DESIGN.md §3 `settings.product`)."""

    price_rule: PriceRule = field(default_factory=PriceRule)
    inventory_rule: InventoryRule = field(default_factory=InventoryRule)
    #: (Shopify location id, TikTok warehouse id) pairs; unmapped locations are ignored.
    warehouse_map: tuple[tuple[str, str], ...] = ()
    #: Used for every location when `warehouse_map` is empty (a one-warehouse shop).
    default_warehouse_id: str | None = None
    auto_update: frozenset[AutoField] = ALL_AUTO_FIELDS
    seller_type: SellerType = "LOCAL"

    @property
    def location_to_warehouse(self) -> Mapping[str, str]:
        """`warehouse_map` as a dict."""
        return dict(self.warehouse_map)
