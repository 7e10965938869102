"""Catalog and inventory operations shared by GraphQL mutations and the control API.

Each operation changes the store and fires the webhooks Shopify would (reference §4.3) through
`sandbox.dispatcher`. Callers: `resolvers.product_mutations`, `resolvers.inventory`,
`control_edits`, `generator` (without webhooks).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from ecomsend.sandbox.shopify import payloads
from ecomsend.sandbox.shopify.store import (
    InventoryItem,
    Level,
    Option,
    Product,
    Sandbox,
    Shop,
    Variant,
)
from ecomsend.sandbox.shopify.util import now


def new_event_id() -> str:
    """X-Shopify-Event-Id: shared by every delivery produced by one merchant action."""
    return str(uuid.uuid4())


def emit(sandbox: Sandbox, shop: Shop, topic: str, body: dict[str, Any],
         event_id: str | None = None) -> None:
    """Queue `topic` for every subscription of `shop` (no-op without a dispatcher)."""
    if sandbox.dispatcher is not None:
        sandbox.dispatcher.emit(shop, topic, body, event_id or new_event_id())


def slugify(title: str) -> str:
    """Shopify-style handle: lowercase ASCII words joined by dashes."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "product"


def unique_handle(shop: Shop, title: str) -> str:
    """A handle not used by another product (Shopify appends -1, -2, … to a derived handle)."""
    base = slugify(title)
    handle, n = base, 1
    while handle in shop.handles:
        handle, n = f"{base}-{n}", n + 1
    return handle


def add_product(sandbox: Sandbox, shop: Shop, *, title: str, handle: str | None = None,
                option_names: list[str] | None = None, **fields: Any) -> Product:
    """Register a product without variants (callers add them with `add_variant`)."""
    pid = sandbox.next_id()
    product = Product(id=pid, title=title, handle=handle or unique_handle(shop, title), **fields)
    product.options = [Option(id=sandbox.next_id(), name=name, values=[], position=i + 1)
                       for i, name in enumerate(option_names or [])]
    shop.products[pid] = product
    shop.handles[product.handle] = pid
    return product


def add_variant(sandbox: Sandbox, shop: Shop, product: Product, *, price: str,
                options: list[str] | None = None, sku: str | None = None,
                inventory: dict[int, int] | None = None, tracked: bool = True,
                weight_grams: float = 0.0, cost: str | None = None,
                **fields: Any) -> Variant:
    """Create a variant and its inventory item; stock it at `inventory` {location: available}."""
    t = fields.pop("created_at", None) or now()
    item = InventoryItem(id=sandbox.next_id(), variant_id=0, sku=sku, tracked=tracked,
                         weight_grams=weight_grams, cost=cost, created_at=t, updated_at=t)
    variant = Variant(id=sandbox.next_id(), product_id=product.id, sku=sku, price=price,
                      options=list(options or []), item=item,
                      position=len(product.variants) + 1, created_at=t, updated_at=t, **fields)
    item.variant_id = variant.id
    for loc_id, qty in (inventory or {}).items():
        item.levels[loc_id] = Level(available=qty, updated_at=t)
    for opt, value in zip(product.options, variant.options, strict=False):
        if value not in opt.values:
            opt.values.append(value)
    product.variants.append(variant)
    shop.variants[variant.id] = variant
    shop.items[item.id] = item
    return variant


def fire_product(sandbox: Sandbox, shop: Shop, product: Product, topic: str,
                 event_id: str | None = None) -> None:
    """products/create or products/update with the full REST product."""
    emit(sandbox, shop, topic, payloads.product_json(product), event_id)


def create_product(sandbox: Sandbox, shop: Shop, spec: dict[str, Any]) -> Product:
    """Merchant creates a product (control API): products/create + inventory_items/create."""
    tags = spec.get("tags") or []
    product = add_product(
        sandbox, shop, title=spec["title"], handle=spec.get("handle"),
        option_names=spec.get("options") or (["Title"] if len(spec.get("variants", [])) > 1
                                             else []),
        body_html=spec.get("body_html", ""), vendor=spec.get("vendor", ""),
        product_type=spec.get("product_type", ""),
        status=str(spec.get("status", "active")).upper(),
        tags=[t.strip() for t in tags.split(",")] if isinstance(tags, str) else list(tags))
    for i, vspec in enumerate(spec.get("variants") or [{"price": "0.00"}]):
        opts = vspec.get("options") or ([f"Option {i + 1}"] if product.options else [])
        add_variant(sandbox, shop, product, price=str(vspec.get("price", "0.00")),
                    options=opts, sku=vspec.get("sku"), barcode=vspec.get("barcode"),
                    compare_at_price=vspec.get("compare_at_price"),
                    inventory={int(k): int(v) for k, v in (vspec.get("inventory") or {}).items()})
    event = new_event_id()
    fire_product(sandbox, shop, product, "products/create", event)
    for v in product.variants:
        emit(sandbox, shop, "inventory_items/create", payloads.inventory_item_json(v.item), event)
    return product


def update_product(sandbox: Sandbox, shop: Shop, product: Product, changes: dict[str, Any],
                   fire: bool = True) -> Product:
    """Apply REST-named field changes and fire products/update."""
    for key in ("title", "body_html", "vendor", "product_type"):
        if key in changes and changes[key] is not None:
            setattr(product, key, changes[key])
    if changes.get("tags") is not None:
        tags = changes["tags"]
        product.tags = [t.strip() for t in tags.split(",") if t.strip()] \
            if isinstance(tags, str) else list(tags)
    if changes.get("status"):
        product.status = str(changes["status"]).upper()
    if changes.get("handle") and changes["handle"] != product.handle:
        shop.handles.pop(product.handle, None)
        product.handle = changes["handle"]
        shop.handles[product.handle] = product.id
    product.updated_at = now()
    if fire:
        fire_product(sandbox, shop, product, "products/update")
    return product


def delete_product(sandbox: Sandbox, shop: Shop, product: Product) -> None:
    """Remove a product and its variants/items: products/delete + inventory_items/delete."""
    event = new_event_id()
    for v in list(product.variants):
        shop.variants.pop(v.id, None)
        shop.items.pop(v.item.id, None)
        emit(sandbox, shop, "inventory_items/delete", {"id": v.item.id}, event)
    shop.products.pop(product.id, None)
    shop.handles.pop(product.handle, None)
    for coll in shop.collections.values():
        if product.id in coll.product_ids:
            coll.product_ids.remove(product.id)
    emit(sandbox, shop, "products/delete", {"id": product.id}, event)


def update_variant(sandbox: Sandbox, shop: Shop, variant: Variant,
                   changes: dict[str, Any]) -> Variant:
    """Price/SKU/barcode edits: products/update (+ inventory_items/update for a SKU change)."""
    event = new_event_id()
    for key in ("price", "compare_at_price"):
        if key in changes:
            setattr(variant, key, None if changes[key] is None else f"{float(changes[key]):.2f}")
    if "barcode" in changes:
        variant.barcode = changes["barcode"]
    if changes.get("inventory_policy"):
        variant.inventory_policy = str(changes["inventory_policy"]).upper()
    variant.updated_at = now()
    if "sku" in changes:
        variant.sku = variant.item.sku = changes["sku"]
        variant.item.updated_at = variant.updated_at
        emit(sandbox, shop, "inventory_items/update",
             payloads.inventory_item_json(variant.item), event)
    product = shop.products[variant.product_id]
    product.updated_at = variant.updated_at
    fire_product(sandbox, shop, product, "products/update", event)
    return variant


def remove_variant(sandbox: Sandbox, shop: Shop, variant: Variant) -> None:
    """Delete one variant: products/update + inventory_items/delete."""
    product = shop.products[variant.product_id]
    product.variants = [v for v in product.variants if v.id != variant.id]
    for i, v in enumerate(product.variants):
        v.position = i + 1
    shop.variants.pop(variant.id, None)
    shop.items.pop(variant.item.id, None)
    product.updated_at = now()
    event = new_event_id()
    emit(sandbox, shop, "inventory_items/delete", {"id": variant.item.id}, event)
    fire_product(sandbox, shop, product, "products/update", event)


def set_available(sandbox: Sandbox, shop: Shop, item: InventoryItem, location_id: int,
                  available: int, event_id: str | None = None, fire: bool = True) -> Level:
    """Set `available` at a location (stocking it if needed); fires inventory_levels/update."""
    level = item.levels.get(location_id)
    t = now()
    if level is None:
        level = item.levels[location_id] = Level(available=available, updated_at=t)
        if fire:  # stocking an item at a new location connects a level first
            emit(sandbox, shop, "inventory_levels/connect",
                 payloads.inventory_level_json(item, location_id), event_id)
    else:
        level.available, level.updated_at = available, t
    variant = shop.variants.get(item.variant_id)
    if variant is not None:
        variant.updated_at = t
    if fire:
        emit(sandbox, shop, "inventory_levels/update",
             payloads.inventory_level_json(item, location_id), event_id)
    return level
