"""The /_sandbox merchant edits: each changes a shop as the merchant would and fires the
webhooks Shopify would (CONTROL.md "Merchant edits"). Mounted by `app.create_app`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from ecomsend.sandbox.shopify import merchant, merchant_orders, payloads
from ecomsend.sandbox.shopify.control import sandbox_of, shop_of
from ecomsend.sandbox.shopify.store import Collection, InventoryItem, Order, Shop
from ecomsend.sandbox.shopify.topics import is_known
from ecomsend.sandbox.shopify.util import loose_id, now

router = APIRouter(prefix="/_sandbox/shops/{domain}", tags=["sandbox merchant edits"])


def _get(table: dict[int, Any], value: Any, type_name: str) -> Any:
    """The object with a loose id (int or GID) from `table`, or 404."""
    obj = table.get(loose_id(value, type_name) or 0)
    if obj is None:
        raise HTTPException(404, f"unknown {type_name} {value}")
    return obj


def _inventory(shop: Shop, raw: dict[str, Any] | None) -> dict[int, int]:
    """{location id or GID: qty} -> {location id: qty}, checking the locations."""
    out = {}
    for loc, qty in (raw or {}).items():
        loc_id = loose_id(loc, "Location")
        if loc_id not in shop.locations:
            raise HTTPException(422, f"unknown location {loc}")
        out[loc_id] = int(qty)
    return out


@router.post("/products", status_code=201)
async def create_product(request: Request, domain: str, body: dict[str, Any] = Body(...)
                         ) -> dict[str, Any]:
    """POST products: the merchant creates a product."""
    shop = shop_of(request, domain)
    if not body.get("title"):
        raise HTTPException(422, "title is required")
    for v in body.get("variants") or []:
        v["inventory"] = _inventory(shop, v.get("inventory"))
    product = merchant.create_product(sandbox_of(request), shop, body)
    return {"product": payloads.product_json(product)}


@router.patch("/products/{product_id:path}")
async def edit_product(request: Request, domain: str, product_id: str,
                       body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """PATCH a product's fields (archive with status)."""
    shop = shop_of(request, domain)
    product = _get(shop.products, product_id, "Product")
    merchant.update_product(sandbox_of(request), shop, product, body)
    return {"product": payloads.product_json(product)}


@router.delete("/products/{product_id:path}")
async def delete_product(request: Request, domain: str, product_id: str) -> dict[str, Any]:
    """DELETE a product."""
    shop = shop_of(request, domain)
    product = _get(shop.products, product_id, "Product")
    merchant.delete_product(sandbox_of(request), shop, product)
    return {"deleted": product.id}


@router.post("/products/{product_id:path}/variants", status_code=201)
async def add_variant(request: Request, domain: str, product_id: str,
                      body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """POST a variant to a product: products/update + inventory_items/create."""
    sandbox, shop = sandbox_of(request), shop_of(request, domain)
    product = _get(shop.products, product_id, "Product")
    options = body.get("options") or ([f"Variant {len(product.variants) + 1}"]
                                      if product.options else [])
    if not product.options and product.variants:
        raise HTTPException(422, "product has no options; it can only have one variant")
    price = f"{float(body.get('price', 0)):.2f}"
    variant = merchant.add_variant(sandbox, shop, product, price=price,
                                   options=options, sku=body.get("sku"),
                                   inventory=_inventory(shop, body.get("inventory")))
    event = merchant.new_event_id()
    merchant.emit(sandbox, shop, "inventory_items/create",
                  payloads.inventory_item_json(variant.item), event)
    merchant.fire_product(sandbox, shop, product, "products/update", event)
    return {"variant": payloads.variant_json(variant)}


@router.patch("/variants/{variant_id:path}")
async def edit_variant(request: Request, domain: str, variant_id: str,
                       body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """PATCH a variant (price, SKU, barcode, policy)."""
    shop = shop_of(request, domain)
    variant = _get(shop.variants, variant_id, "ProductVariant")
    merchant.update_variant(sandbox_of(request), shop, variant, body)
    return {"variant": payloads.variant_json(variant)}


@router.delete("/variants/{variant_id:path}")
async def delete_variant(request: Request, domain: str, variant_id: str) -> dict[str, Any]:
    """DELETE a variant."""
    shop = shop_of(request, domain)
    variant = _get(shop.variants, variant_id, "ProductVariant")
    if len(shop.products[variant.product_id].variants) == 1:
        raise HTTPException(409, "a product keeps at least one variant; delete the product")
    merchant.remove_variant(sandbox_of(request), shop, variant)
    return {"deleted": variant.id}


def _level_target(shop: Shop, body: dict[str, Any]) -> tuple[InventoryItem, int]:
    """The inventory item and location named in a body."""
    item = _get(shop.items, body.get("inventory_item_id"), "InventoryItem")
    loc = loose_id(body.get("location_id"), "Location")
    if loc not in shop.locations:
        raise HTTPException(422, f"unknown location {body.get('location_id')}")
    assert loc is not None
    return item, loc


@router.post("/inventory/set")
async def set_inventory(request: Request, domain: str, body: dict[str, Any] = Body(...)
                        ) -> dict[str, Any]:
    """POST inventory/set: absolute `available` at a location."""
    shop = shop_of(request, domain)
    item, loc = _level_target(shop, body)
    merchant.set_available(sandbox_of(request), shop, item, loc, int(body["available"]))
    return {"inventory_level": payloads.inventory_level_json(item, loc)}


@router.post("/inventory/adjust")
async def adjust_inventory(request: Request, domain: str, body: dict[str, Any] = Body(...)
                           ) -> dict[str, Any]:
    """POST inventory/adjust: add `delta` to `available` at a location."""
    shop = shop_of(request, domain)
    item, loc = _level_target(shop, body)
    current = item.levels[loc].available if loc in item.levels else 0
    merchant.set_available(sandbox_of(request), shop, item, loc, current + int(body["delta"]))
    return {"inventory_level": payloads.inventory_level_json(item, loc)}


@router.post("/orders", status_code=201)
async def place_order(request: Request, domain: str, body: dict[str, Any] = Body(...)
                      ) -> dict[str, Any]:
    """A storefront order: decrements stock like checkout does."""
    sandbox, shop = sandbox_of(request), shop_of(request, domain)
    lines = [merchant_orders.line_from_variant(
        sandbox, shop, _get(shop.variants, li.get("variant_id"), "ProductVariant"),
        int(li.get("quantity", 1))) for li in body.get("line_items") or []]
    if not lines:
        raise HTTPException(422, "line_items is required")
    tags = body.get("tags") or []
    order = Order(id=sandbox.next_id(), number=shop.next_order_number, currency=shop.currency,
                  line_items=lines, email=body.get("email", "buyer@example.com"),
                  source_name=body.get("source_name", "web"),
                  tags=[t.strip() for t in tags.split(",")] if isinstance(tags, str) else tags)
    merchant_orders.create_order(sandbox, shop, order, "DECREMENT_IGNORING_POLICY")
    return {"order": payloads.order_json(shop, order)}


@router.post("/orders/{order_id:path}/fulfill")
async def fulfill_order(request: Request, domain: str, order_id: str,
                        body: dict[str, Any] = Body(default={})) -> dict[str, Any]:
    """POST orders/{id}/fulfill: the merchant ships with tracking."""
    shop = shop_of(request, domain)
    order = _get(shop.orders, order_id, "Order")
    f = merchant_orders.fulfill_all(sandbox_of(request), shop, order,
                                    merchant_orders.tracking_from(body.get("tracking")))
    if f is None:
        raise HTTPException(409, "nothing left to fulfil")
    return {"fulfillment": payloads.fulfillment_json(shop, f)}


@router.post("/fulfillments/{fulfillment_id:path}/tracking")
async def update_tracking(request: Request, domain: str, fulfillment_id: str,
                          body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """POST fulfillments/{id}/tracking: replace the tracking."""
    shop = shop_of(request, domain)
    f = _get(shop.fulfillments, fulfillment_id, "Fulfillment")
    merchant_orders.update_tracking(sandbox_of(request), shop, f,
                                    merchant_orders.tracking_from(body))
    return {"fulfillment": payloads.fulfillment_json(shop, f)}


@router.post("/orders/{order_id:path}/cancel")
async def cancel_order(request: Request, domain: str, order_id: str,
                       body: dict[str, Any] = Body(default={})) -> dict[str, Any]:
    """POST orders/{id}/cancel (restock by default)."""
    shop = shop_of(request, domain)
    order = _get(shop.orders, order_id, "Order")
    if order.cancelled_at is not None:
        raise HTTPException(409, "order already cancelled")
    merchant_orders.cancel_order(sandbox_of(request), shop, order,
                                 str(body.get("reason", "customer")),
                                 bool(body.get("restock", True)))
    return {"order": payloads.order_json(shop, order)}


def _default_payload(shop: Shop, topic: str) -> dict[str, Any]:
    """Example bodies for topics without a merchant action (compliance, shop/redact)."""
    customer = {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}
    orders = [o.id for o in list(shop.orders.values())[:3]]
    base = {"shop_id": shop.id, "shop_domain": shop.domain}
    if topic == "customers/data_request":
        return {**base, "customer": customer, "orders_requested": orders,
                "data_request": {"id": 9999}}
    if topic == "customers/redact":
        return {**base, "customer": customer, "orders_to_redact": orders}
    if topic == "app/uninstalled":
        return payloads.shop_json(shop)
    return base


@router.post("/webhooks/trigger")
async def trigger(request: Request, domain: str, body: dict[str, Any] = Body(...)
                  ) -> dict[str, Any]:
    """POST webhooks/trigger: fire any topic (compliance topics get example bodies)."""
    shop = shop_of(request, domain)
    topic = str(body.get("topic", ""))
    if not is_known(topic):
        raise HTTPException(422, f"unknown topic {topic!r}")
    payload = body.get("payload") or _default_payload(shop, topic)
    merchant.emit(sandbox_of(request), shop, topic, payload)
    return {"topic": topic, "subscribers": len(sandbox_of(request).dispatcher.targets(shop,
                                                                                     topic))}


def _product_ids(shop: Shop, raw: list[Any] | None) -> list[int]:
    """Product ids from loose ids, checking they exist."""
    ids = []
    for value in raw or []:
        pid = loose_id(value, "Product")
        if pid not in shop.products:
            raise HTTPException(422, f"unknown product {value}")
        ids.append(pid)
    return ids


@router.post("/collections", status_code=201)
async def create_collection(request: Request, domain: str, body: dict[str, Any] = Body(...)
                            ) -> dict[str, Any]:
    """A manual collection; collections/create."""
    sandbox, shop = sandbox_of(request), shop_of(request, domain)
    if not body.get("title"):
        raise HTTPException(422, "title is required")
    coll = Collection(id=sandbox.next_id(), title=body["title"],
                      handle=body.get("handle") or merchant.slugify(body["title"]),
                      product_ids=_product_ids(shop, body.get("product_ids")),
                      body_html=body.get("body_html", ""))
    shop.collections[coll.id] = coll
    merchant.emit(sandbox, shop, "collections/create", payloads.collection_json(coll))
    return {"collection": payloads.collection_json(coll)}


@router.patch("/collections/{collection_id:path}")
async def edit_collection(request: Request, domain: str, collection_id: str,
                          body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Rename or replace the product list; collections/update."""
    sandbox, shop = sandbox_of(request), shop_of(request, domain)
    coll = _get(shop.collections, collection_id, "Collection")
    if body.get("title"):
        coll.title = body["title"]
    if body.get("product_ids") is not None:
        coll.product_ids = _product_ids(shop, body["product_ids"])
    coll.updated_at = now()
    merchant.emit(sandbox, shop, "collections/update", payloads.collection_json(coll))
    return {"collection": payloads.collection_json(coll)}
