"""What TikTok would receive for a product, for the Product detail page (pure, no I/O).

`preview_product` runs the real mapping pieces (`mapping.description`, `mapping.main_images`,
`pricing.sku_price`, `inventory.quantities`, `mapping.package_weight`) on a snapshot, with the
product's Shopify image URLs standing in for their TikTok uploads (the push uploads the same
images). Prices are computed per variant, so one variant without a usable price (no exchange
rate) does not hide the others. `problems` is `preflight.validate` when the category's
attributes and rules are known, else the product-only checks plus "no category".
Called by `web.api_product_preview`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ecomsend.integrations.tiktok.models.catalog import Attribute, CategoryRules
from ecomsend.sync.errors import FieldError
from ecomsend.sync.products import inventory, mapping, pricing
from ecomsend.sync.products.preflight import (
    check_description,
    check_images,
    check_title,
    validate,
)
from ecomsend.sync.products.preflight_skus import (
    check_inventory,
    check_prices,
    check_sales_attributes,
    check_seller_skus,
    check_sku_count,
)
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.text import clean_text
from ecomsend.sync.products.types import (
    PriceSource,
    ProductPrefs,
    ProductSnapshot,
    TemplateSpec,
    UploadedImage,
    VariantSnapshot,
)

NO_CATEGORY = FieldError(
    "category_id", "No active category template takes this product, and no category was "
    "chosen for it.", "Choose a TikTok category with Sync, or activate a default template.")


@dataclass(frozen=True, slots=True)
class VariantPreview:
    """One TikTok SKU: the Shopify values next to what TikTok gets after the rules."""

    id: str
    title: str
    sku: str | None
    shopify_price: Decimal
    #: After the price rule, in the region's currency; None when it cannot be computed.
    price: Decimal | None
    list_price: Decimal | None
    shopify_stock: int
    #: Warehouse id → quantity after the inventory rule (empty: no warehouse known).
    stock: dict[str, int]
    #: Where `price` starts from: the store price, the Shopify Markets price, or the rate.
    price_source: PriceSource = PriceSource.STORE
    #: The Shopify Markets price for the region's country (in the region's currency), if any.
    market_price: Decimal | None = None

    @property
    def total_stock(self) -> int:
        return sum(self.stock.values())


@dataclass(frozen=True, slots=True)
class ProductPreview:
    title: str
    description: str
    images: tuple[str, ...]
    currency: str
    package_weight: str | None
    variants: tuple[VariantPreview, ...]
    #: Why prices are missing (e.g. no exchange rate), in plain words.
    price_error: str | None


def stand_in_uploads(product: ProductSnapshot) -> dict[str, UploadedImage]:
    """Each Shopify image as if uploaded (the push uploads exactly these)."""
    return {i.url: UploadedImage(uri=i.url, url=i.url) for i in product.images}


def _variant(v: VariantSnapshot, product: ProductSnapshot, prefs: ProductPrefs,
             region: RegionRules) -> tuple[VariantPreview, str | None]:
    title = " / ".join(value for _, value in v.options) or "Default"
    price = listed = None
    error = None
    try:
        price = pricing.sku_price(v, prefs.price_rule, product.currency, region)
        listed = pricing.sku_list_price(v, prefs.price_rule, product.currency, region)
    except pricing.PricingError as exc:
        error = str(exc)
    return VariantPreview(
        id=v.id, title=title, sku=v.sku, shopify_price=v.price, price=price, list_price=listed,
        shopify_stock=sum(q for _, q in v.stock), stock=inventory.quantities(v, prefs),
        price_source=pricing.source_of(v, product.currency, region),
        market_price=v.market.price if v.market is not None else None), error


def preview_product(product: ProductSnapshot, template: TemplateSpec | None,
                    prefs: ProductPrefs, region: RegionRules) -> ProductPreview:
    """The title, description, images, package weight and SKUs TikTok would receive."""
    uploads = stand_in_uploads(product)
    images = tuple(ref.uri for ref in mapping.main_images(product, uploads, region))
    weight = mapping.package_weight(product, template, region) if template else None
    variants, errors = [], []
    for v in product.sorted_variants:
        row, error = _variant(v, product, prefs, region)
        variants.append(row)
        if error:
            errors.append(error)
    return ProductPreview(
        title=clean_text(product.title), description=mapping.description(product, uploads, region),
        images=images, currency=region.currency,
        package_weight=f"{weight.value} {weight.unit}" if weight else None,
        variants=tuple(variants), price_error=errors[0] if errors else None)


def problems(product: ProductSnapshot, template: TemplateSpec | None, prefs: ProductPrefs,
             region: RegionRules, attributes: Sequence[Attribute] | None,
             rules: CategoryRules | None) -> list[FieldError]:
    """Every reason TikTok would refuse the product: the full pre-flight when the category and
    its data are known, else what can be checked without a category (plus "no category")."""
    if template is not None and template.category_id and attributes is not None:
        return validate(product, template, prefs, region, attributes, rules)
    head = [NO_CATEGORY] if template is None or not template.category_id else []
    return [*head, *check_title(product, region), *check_description(product, region, None),
            *check_images(product, None), *check_sku_count(product, region),
            *check_sales_attributes(product, region), *check_seller_skus(product, {}),
            *check_prices(product, prefs, region), *check_inventory(product, prefs)]
