"""Building stored products from request bodies and rendering them back (Get/Search Product)."""

from __future__ import annotations

import copy
import json
import zlib
from typing import Any

from ecomsend.sandbox.tiktok.catalog_api import image_url
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.refdata import catalog
from ecomsend.sandbox.tiktok.state import Product, Shop

#: Fields of a SKU that are live data, not audited content (reference §4.3: price and inventory
#: changes go live immediately; content changes go back to review).
LIVE_SKU_FIELDS = ("price", "inventory")


def _custom_id(text: str) -> str:
    """A stable id for a custom (seller-named) sales attribute or value."""
    return str(7100000000000000000 + zlib.crc32(text.encode()))


def sku_store_shape(sb: Sandbox, raw: dict[str, Any], sku_id: str) -> dict[str, Any]:
    """A stored SKU: create-body shape plus `id`, with ids for custom sales attributes."""
    attrs = []
    for a in raw.get("sales_attributes") or []:
        attr = dict(a)
        attr["id"] = str(attr.get("id") or _custom_id(str(attr.get("name", ""))))
        if not attr.get("value_id"):
            attr["value_id"] = _custom_id(f"{attr['id']}:{attr.get('value_name', '')}")
        attr["value_id"] = str(attr["value_id"])
        attrs.append(attr)
    price = dict(raw["price"])
    if not price.get("amount"):
        price["amount"] = price.get("sale_price")
    return {"id": sku_id, "seller_sku": raw.get("seller_sku", ""),
            "external_sku_id": raw.get("external_sku_id", ""), "sales_attributes": attrs,
            "price": {"amount": str(price["amount"]), "currency": price.get("currency")},
            "inventory": [{"warehouse_id": str(i["warehouse_id"]), "quantity": i["quantity"]}
                          for i in raw["inventory"]],
            "identifier_code": raw.get("identifier_code"),
            "list_price": raw.get("list_price"),
            "external_list_prices": raw.get("external_list_prices") or [], "committed": {}}


def content_signature(body: dict[str, Any], skus: list[dict[str, Any]]) -> str:
    """A digest of the audited content (everything but price, inventory and bookkeeping)."""
    clean = [{k: v for k, v in s.items() if k not in (*LIVE_SKU_FIELDS, "committed")}
             for s in skus]
    return json.dumps([body, clean], sort_keys=True, default=str)


def create_response(product: Product) -> dict[str, Any]:
    """Create/Edit Product `data`."""
    return {"product_id": product.id,
            "skus": [{"id": s["id"], "seller_sku": s["seller_sku"],
                      "external_sku_id": s["external_sku_id"],
                      "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]}
                                           for a in s["sales_attributes"]]}
                     for s in product.skus],
            "warnings": []}


def _image(sb: Sandbox, uri: str) -> dict[str, Any]:
    """A main image as Get Product renders it."""
    img = sb.store.images.get(uri)
    return {"uri": uri, "urls": [image_url(uri)], "thumb_urls": [image_url(uri)],
            "width": img.width if img else 0, "height": img.height if img else 0}


def _wire_price(shop: Shop, sku: dict[str, Any]) -> dict[str, Any]:
    """Reads return sale_price / tax_exclusive_price, not amount (reference §4.4 gotcha)."""
    amount = sku["price"]["amount"]
    return {"currency": market(shop.region).currency, "sale_price": amount,
            "tax_exclusive_price": amount}


def wire_sku(shop: Shop, sku: dict[str, Any]) -> dict[str, Any]:
    """Get Product sku."""
    return {"id": sku["id"], "seller_sku": sku["seller_sku"],
            "external_sku_id": sku["external_sku_id"],
            "sales_attributes": [{"id": a["id"], "name": a.get("name", ""),
                                  "value_id": a["value_id"], "value_name": a.get("value_name", ""),
                                  **({"sku_img": a["sku_img"]} if a.get("sku_img") else {})}
                                 for a in sku["sales_attributes"]],
            "price": _wire_price(shop, sku),
            "inventory": copy.deepcopy(sku["inventory"]),
            "identifier_code": sku.get("identifier_code") or {},
            **({"list_price": sku["list_price"]} if sku.get("list_price") else {}),
            "external_list_prices": copy.deepcopy(sku.get("external_list_prices") or []),
            "status_info": {"status": "NORMAL"}}


def _attributes(shop: Shop, product: Product) -> list[dict[str, Any]]:
    """product_attributes with names filled in from the category."""
    body = product.body
    cat = catalog(shop.region, body.get("category_version") or "v1")
    names = {a.id: a for a in cat.attributes(body["category_id"])} \
        if body["category_id"] in cat.categories else {}
    out = []
    for attr in body.get("product_attributes") or []:
        known = names.get(str(attr.get("id")))
        value_names = dict(known.values) if known else {}
        out.append({"id": str(attr.get("id")), "name": known.name if known else "",
                    "values": [{"id": str(v.get("id", "")),
                                "name": v.get("name") or value_names.get(str(v.get("id")), "")}
                               for v in attr.get("values") or []]})
    return out


def wire_product(sb: Sandbox, shop: Shop, product: Product) -> dict[str, Any]:
    """Get Product `data`."""
    body = product.body
    cat = catalog(shop.region, body.get("category_version") or "v1")
    brand = cat.brands_by_id.get(str(body.get("brand_id") or ""))
    return {
        "id": product.id, "title": body.get("title", ""),
        "description": body.get("description", ""), "status": product.status,
        "audit": {"status": product.audit_status, "pre_approved_reasons": []},
        "audit_failed_reasons": copy.deepcopy(product.audit_failed_reasons),
        "category_chains": [{"id": c.id, "parent_id": c.parent_id, "local_name": c.local_name,
                             "is_leaf": c.is_leaf} for c in cat.chain(body["category_id"])],
        "brand": {"id": brand.id, "name": brand.name} if brand else None,
        "main_images": [_image(sb, i["uri"]) for i in body.get("main_images") or []],
        "product_attributes": _attributes(shop, product),
        "package_weight": body.get("package_weight"),
        "package_dimensions": body.get("package_dimensions"),
        "size_chart": body.get("size_chart"), "certifications": body.get("certifications") or [],
        "manufacturer_ids": list(body.get("manufacturer_ids") or []),
        "responsible_person_ids": list(body.get("responsible_person_ids") or []),
        "skus": [wire_sku(shop, s) for s in product.skus],
        "external_product_id": body.get("external_product_id", ""),
        "is_cod_allowed": False, "has_draft": False, "is_not_for_sale": False,
        "create_time": product.create_time, "update_time": product.update_time,
    }


def wire_search_item(shop: Shop, product: Product) -> dict[str, Any]:
    """Search Products item."""
    return {"id": product.id, "title": product.body.get("title", ""), "status": product.status,
            "audit": {"status": product.audit_status},
            "skus": [{"id": s["id"], "seller_sku": s["seller_sku"],
                      "price": _wire_price(shop, s), "inventory": copy.deepcopy(s["inventory"])}
                     for s in product.skus],
            "sales_regions": [shop.region], "create_time": product.create_time,
            "update_time": product.update_time}
