"""Shopify GraphQL reads → the REST-shaped webhook payloads the listing handlers take (pure).

The change poll (`change_poll`) re-reads products and inventory levels that changed and feeds
them to the very handlers webhooks go through (`webhooks.products_upsert`,
`webhooks.inventory_level_update`), so a change arrives the same way whichever path saw it
first, newer-only and idempotent. The fields are the ones those handlers read (reference §4.3:
REST bodies, snake_case, numeric ids plus `admin_graphql_api_id`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ecomsend.integrations.shopify.models import InventoryLevel, Product, Variant
from ecomsend.integrations.shopify.webhook_models import (
    ImagePayload,
    InventoryLevelPayload,
    OptionPayload,
    ProductPayload,
    VariantPayload,
)


def numeric(gid: str) -> int | None:
    """The trailing number of a GID, or None when it is not a number."""
    tail = gid.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def rest_time(value: datetime | None) -> str | None:
    """A REST timestamp (second precision, UTC `Z`) as webhook bodies carry it."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _variant(v: Variant, names: list[str]) -> VariantPayload:
    """One variant; option1..3 follow the product's option order."""
    selected = dict(v.selected_options)
    values = [selected.get(name) for name in names[:3]] + [None] * (3 - len(names[:3]))
    return VariantPayload(
        id=numeric(v.id) or 0, admin_graphql_api_id=v.id, sku=v.sku, barcode=v.barcode,
        price=str(v.price), title=v.title, position=v.position, updated_at=rest_time(v.updated_at),
        compare_at_price=None if v.compare_at_price is None else str(v.compare_at_price),
        inventory_item_id=numeric(v.inventory_item_id) if v.inventory_item_id else None,
        inventory_quantity=v.inventory_quantity, inventory_policy=v.inventory_policy,
        option1=values[0], option2=values[1], option3=values[2])


def product_payload(product: Product) -> ProductPayload:
    """The products/update body of a product read in full (all its variants)."""
    options = sorted(product.options, key=lambda o: o.position)
    names = [o.name for o in options]
    return ProductPayload(
        id=numeric(product.id) or 0, admin_graphql_api_id=product.id, title=product.title,
        handle=product.handle, body_html=product.description_html, vendor=product.vendor,
        product_type=product.product_type, status=product.status.lower(),
        tags=", ".join(product.tags), updated_at=rest_time(product.updated_at),
        variants=[_variant(v, names) for v in product.variants],
        options=[OptionPayload(name=o.name, position=o.position, values=list(o.values))
                 for o in options],
        images=[ImagePayload(id=numeric(i.id), src=i.url, alt=i.alt, position=n)
                for n, i in enumerate(product.images, start=1)])


def level_payload(level: InventoryLevel) -> InventoryLevelPayload | None:
    """The inventory_levels/update body of a level; None when it has no `available` or its
    ids are not Shopify GIDs."""
    item, location = numeric(level.inventory_item_id), numeric(level.location_id)
    if item is None or location is None or level.available is None:
        return None
    return InventoryLevelPayload(inventory_item_id=item, location_id=location,
                                 available=level.available,
                                 updated_at=rest_time(level.updated_at))
