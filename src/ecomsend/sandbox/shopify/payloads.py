"""REST-shaped JSON of sandbox objects: webhook bodies and control-API responses.

Shapes follow contracts/shopify/webhooks/examples-2026-07 (reference §4.3): snake_case, integer
`id`, `admin_graphql_api_id`, prices as strings, `tags` as a comma-separated string, lowercase
statuses. Called by `merchant` (webhooks) and `control` (GET state).
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.store import (
    Fulfillment,
    InventoryItem,
    Order,
    Product,
    Shop,
    Variant,
)
from ecomsend.sandbox.shopify.taxonomy import category_rest
from ecomsend.sandbox.shopify.util import gid, iso_rest, level_gid

#: products/* bodies carry full variants only for the first 100 (examples: products.create).
WEBHOOK_FULL_VARIANTS = 100


def money_set(amount: str, currency: str) -> dict[str, Any]:
    """REST price_set: shop and presentment money."""
    one = {"amount": amount, "currency_code": currency}
    return {"shop_money": one, "presentment_money": dict(one)}


def variant_json(v: Variant) -> dict[str, Any]:
    """A REST variant (inside products/* bodies)."""
    opts = [*v.options, None, None, None]
    return {
        "admin_graphql_api_id": gid("ProductVariant", v.id), "id": v.id,
        "product_id": v.product_id, "title": v.title, "sku": v.sku, "barcode": v.barcode,
        "price": v.price, "compare_at_price": v.compare_at_price, "position": v.position,
        "inventory_policy": v.inventory_policy.lower(), "taxable": v.taxable,
        "option1": opts[0], "option2": opts[1], "option3": opts[2], "image_id": None,
        "inventory_item_id": v.item.id, "inventory_quantity": v.inventory_quantity,
        "old_inventory_quantity": v.inventory_quantity,
        "created_at": iso_rest(v.created_at), "updated_at": iso_rest(v.updated_at),
    }


def product_json(p: Product) -> dict[str, Any]:
    """The products/create|update body (and the control API's product)."""
    return {
        "admin_graphql_api_id": gid("Product", p.id), "id": p.id, "title": p.title,
        "handle": p.handle, "body_html": p.body_html, "vendor": p.vendor,
        "product_type": p.product_type, "status": p.status.lower(),
        "tags": ", ".join(p.tags), "published_scope": "web", "template_suffix": None,
        "created_at": iso_rest(p.created_at), "updated_at": iso_rest(p.updated_at),
        "published_at": iso_rest(p.created_at) if p.status == "ACTIVE" else None,
        "variants": [variant_json(v) for v in p.variants[:WEBHOOK_FULL_VARIANTS]],
        "variant_gids": [{"admin_graphql_api_id": gid("ProductVariant", v.id),
                          "updated_at": iso_rest(v.updated_at)} for v in p.variants],
        "options": [{"id": o.id, "product_id": p.id, "name": o.name, "position": o.position,
                     "values": o.values} for o in p.options],
        "images": [{"id": i.id, "product_id": p.id, "position": i.position, "src": i.src,
                    "alt": i.alt, "width": i.width, "height": i.height,
                    "admin_graphql_api_id": gid("ProductImage", i.id)} for i in p.images],
        "image": None, "media": [], "category": category_rest(p.category),
    }


def inventory_item_json(item: InventoryItem) -> dict[str, Any]:
    """The inventory_items/* body."""
    return {
        "id": item.id, "admin_graphql_api_id": gid("InventoryItem", item.id), "sku": item.sku,
        "cost": item.cost, "tracked": item.tracked, "requires_shipping": item.requires_shipping,
        "country_code_of_origin": None, "province_code_of_origin": None,
        "harmonized_system_code": None, "country_harmonized_system_codes": [],
        "weight_value": round(item.weight_grams, 2), "weight_unit": "g",
        "created_at": iso_rest(item.created_at), "updated_at": iso_rest(item.updated_at),
    }


def inventory_level_json(item: InventoryItem, location_id: int) -> dict[str, Any]:
    """The inventory_levels/update body: only `available` (reference §4.3)."""
    level = item.levels[location_id]
    return {"inventory_item_id": item.id, "location_id": location_id,
            "available": level.available, "updated_at": iso_rest(level.updated_at),
            "admin_graphql_api_id": level_gid(location_id, item.id)}


def fulfillment_json(shop: Shop, f: Fulfillment) -> dict[str, Any]:
    """The fulfillments/* body (also inside orders)."""
    order = shop.orders[f.order_id]
    lines = {li.id: li for li in order.line_items}
    first = f.tracking[0] if f.tracking else None
    return {
        "id": f.id, "admin_graphql_api_id": gid("Fulfillment", f.id), "order_id": f.order_id,
        "name": f.name, "status": f.status.lower(), "service": "manual",
        "location_id": f.location_id, "shipment_status": None, "origin_address": None,
        "email": order.email, "destination": _address(order.shipping_address),
        "tracking_company": first.company if first else None,
        "tracking_number": first.number if first else None,
        "tracking_numbers": [t.number for t in f.tracking if t.number],
        "tracking_url": first.url if first else None,
        "tracking_urls": [t.url for t in f.tracking if t.url],
        "line_items": [dict(_line_json(lines[li_id], order.currency), quantity=qty)
                       for li_id, qty in f.line_items if li_id in lines],
        "created_at": iso_rest(f.created_at), "updated_at": iso_rest(f.updated_at),
    }


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """A GraphQL MailingAddressInput dict as a REST address."""
    if not address:
        return None
    keys = {"firstName": "first_name", "lastName": "last_name", "address1": "address1",
            "address2": "address2", "city": "city", "provinceCode": "province_code",
            "countryCode": "country_code", "zip": "zip", "phone": "phone", "company": "company"}
    out = {rest: address.get(gql) for gql, rest in keys.items()}
    out["name"] = " ".join(x for x in (out["first_name"], out["last_name"]) if x)
    return out


def _line_json(li: Any, currency: str) -> dict[str, Any]:
    """A REST line item."""
    return {"id": li.id, "admin_graphql_api_id": gid("LineItem", li.id),
            "variant_id": li.variant_id, "product_id": li.product_id, "title": li.title,
            "name": li.title, "quantity": li.quantity, "sku": li.sku,
            "variant_title": li.variant_title, "vendor": li.vendor, "price": li.price,
            "price_set": money_set(li.price, currency), "requires_shipping": li.requires_shipping,
            "fulfillment_service": "manual", "taxable": True, "gift_card": False,
            "properties": [], "total_discount": "0.00", "discount_allocations": []}


def fulfillment_status(shop: Shop, order: Order) -> str | None:
    """REST fulfillment_status: null, "partial" or "fulfilled"."""
    remaining = sum(li.remaining for fo_id in order.fulfillment_order_ids
                    for li in shop.fulfillment_orders[fo_id].line_items)
    total = sum(li.total for fo_id in order.fulfillment_order_ids
                for li in shop.fulfillment_orders[fo_id].line_items)
    if total == 0 or remaining == total:
        return None
    return "fulfilled" if remaining == 0 else "partial"


def order_json(shop: Shop, order: Order) -> dict[str, Any]:
    """The orders/* body (and the control API's order)."""
    total = f"{order.total:.2f}"
    return {
        "id": order.id, "admin_graphql_api_id": gid("Order", order.id), "name": order.name,
        "order_number": order.number, "number": order.number - 1000, "email": order.email,
        "contact_email": order.email, "currency": order.currency,
        "created_at": iso_rest(order.created_at), "updated_at": iso_rest(order.updated_at),
        "processed_at": iso_rest(order.processed_at),
        "cancelled_at": iso_rest(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": None, "source_name": order.source_name,
        "source_identifier": order.source_identifier, "source_url": order.source_url,
        "tags": ", ".join(order.tags), "note": order.note,
        "note_attributes": [{"name": k, "value": v} for k, v in order.custom_attributes],
        "financial_status": order.financial_status.lower(),
        "fulfillment_status": fulfillment_status(shop, order), "test": order.test,
        "total_price": total, "subtotal_price": total, "current_total_price": total,
        "total_price_set": money_set(total, order.currency),
        "line_items": [_line_json(li, order.currency) for li in order.line_items],
        "shipping_address": _address(order.shipping_address),
        "shipping_lines": [{"title": s.get("title"), "price": s.get("price"), "code": s.get("code"),
                            "source": s.get("source")} for s in order.shipping_lines],
        "fulfillments": [fulfillment_json(shop, shop.fulfillments[f])
                         for f in order.fulfillment_ids],
        "customer": order.customer, "refunds": [],
    }


def shop_json(shop: Shop) -> dict[str, Any]:
    """The app/uninstalled body: the REST shop object."""
    primary = next(iter(shop.locations), None)
    return {"id": shop.id, "name": shop.name, "email": f"owner@{shop.domain}",
            "domain": shop.domain, "myshopify_domain": shop.domain, "currency": shop.currency,
            "country_code": "US", "iana_timezone": "America/New_York", "plan_name": "basic",
            "plan_display_name": "Basic", "primary_location_id": primary,
            "enabled_presentment_currencies": [shop.currency], "weight_unit": "kg",
            "multi_location_enabled": True, "created_at": None, "updated_at": None}


def collection_json(c: Any) -> dict[str, Any]:
    """The collections/create|update body (custom collection, REST shape)."""
    return {"id": c.id, "admin_graphql_api_id": gid("Collection", c.id), "handle": c.handle,
            "title": c.title, "body_html": c.body_html, "updated_at": iso_rest(c.updated_at),
            "published_at": iso_rest(c.updated_at), "sort_order": "manual",
            "template_suffix": None, "published_scope": "web",
            "products_count": len(c.product_ids)}
