"""Product, ProductVariant, options and media; QueryRoot products/product/productVariants.

Search fields follow the `products(query:)` and `productVariants(query:)` argument docs in the
schema (reference §7): sku, status, updated_at, created_at, handle, tag, vendor, product_type,
title, id, barcode, product_id.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    attr,
    const,
    paginate,
    query_matcher,
    register,
)
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import Image, Option, Product, Variant
from ecomsend.sandbox.shopify.taxonomy import category_gql
from ecomsend.sandbox.shopify.util import gid, iso

_TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class MediaImg:
    """A product image seen through the Media interface (MediaImage)."""

    image: Image


@dataclass
class OptionValue:
    """A ProductOptionValue: an option and the index of its value."""
    option: Option
    index: int


def image_dict(img: Image) -> dict[str, Any]:
    """An Image object (dict-backed) for a product image."""
    return {"id": gid("ProductImage", img.id), "url": img.src, "src": img.src,
            "originalSrc": img.src, "transformedSrc": img.src, "altText": img.alt,
            "width": img.width, "height": img.height}


register("MediaImage", {
    "id": lambda m, c, a: gid("MediaImage", m.image.id), "alt": lambda m, c, a: m.image.alt,
    "mediaContentType": const("IMAGE"), "status": const("READY"),
    "image": lambda m, c, a: image_dict(m.image),
    "preview": lambda m, c, a: {"image": image_dict(m.image), "status": "READY"},
    "createdAt": const("2024-01-01T00:00:00Z"), "updatedAt": const("2024-01-01T00:00:00Z"),
    "mimeType": const("image/jpeg"), "fileStatus": const("READY"),
}, MediaImg)

register("ProductOption", {
    "id": lambda o, c, a: gid("ProductOption", o.id), "name": attr("name"),
    "position": attr("position"), "values": lambda o, c, a: list(o.values),
    "optionValues": lambda o, c, a: [OptionValue(o, i) for i in range(len(o.values))],
}, Option)

register("ProductOptionValue", {
    "id": lambda v, c, a: gid("ProductOptionValue", v.option.id * 1000 + v.index),
    "name": lambda v, c, a: v.option.values[v.index], "hasVariants": const(True),
    "swatch": const(None), "linkedMetafieldValue": const(None),
}, OptionValue)


def _variants_conn(p: Product, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Product.variants, by position."""
    return paginate(p.variants, args, key=lambda v: (v.position, v.id))


def _description(p: Product, ctx: Ctx, args: dict[str, Any]) -> str:
    """Product.description: the HTML without tags."""
    return html.unescape(_TAG_RE.sub(" ", p.body_html)).strip()


register("Product", {
    "id": lambda p, c, a: gid("Product", p.id), "legacyResourceId": lambda p, c, a: str(p.id),
    "title": attr("title"), "handle": attr("handle"), "descriptionHtml": attr("body_html"),
    "description": _description, "vendor": attr("vendor"), "productType": attr("product_type"),
    "status": attr("status"), "tags": lambda p, c, a: list(p.tags),
    "createdAt": lambda p, c, a: iso(p.created_at), "updatedAt": lambda p, c, a: iso(p.updated_at),
    "publishedAt": lambda p, c, a: iso(p.created_at) if p.status == "ACTIVE" else None,
    "options": lambda p, c, a: p.options[: a.get("first") or len(p.options)] or [
        Option(id=p.id, name="Title", values=["Default Title"])],
    "variants": _variants_conn,
    "variantsCount": lambda p, c, a: {"count": len(p.variants), "precision": "EXACT"},
    "media": lambda p, c, a: paginate([MediaImg(i) for i in p.images], a,
                                      key=lambda m: m.image.id),
    "images": lambda p, c, a: paginate([image_dict(i) for i in p.images], a,
                                       key=lambda d: int(d["id"].rsplit("/", 1)[1])),
    "featuredImage": lambda p, c, a: image_dict(p.images[0]) if p.images else None,
    "featuredMedia": lambda p, c, a: MediaImg(p.images[0]) if p.images else None,
    "mediaCount": lambda p, c, a: {"count": len(p.images), "precision": "EXACT"},
    "totalInventory": lambda p, c, a: sum(v.inventory_quantity for v in p.variants),
    "tracksInventory": lambda p, c, a: any(v.item.tracked for v in p.variants),
    "hasOnlyDefaultVariant": lambda p, c, a: len(p.variants) == 1 and not p.options,
    "hasOutOfStockVariants": lambda p, c, a: any(v.inventory_quantity <= 0 for v in p.variants),
    "onlineStoreUrl": const(None), "onlineStorePreviewUrl": const(None),
    "seo": lambda p, c, a: {"title": None, "description": None},
    "category": lambda p, c, a: category_gql(p.category),
    "templateSuffix": const(None), "isGiftCard": const(False),
    "requiresSellingPlan": const(False),
}, Product)


def _selected_options(v: Variant, ctx: Ctx, args: dict[str, Any]) -> list[dict[str, Any]]:
    """ProductVariant.selectedOptions (Title/Default Title without options)."""
    product = ctx.shop.products.get(v.product_id)
    names = [o.name for o in product.options] if product else []
    if not v.options:
        return [{"name": "Title", "value": "Default Title", "optionValue": None}]
    return [{"name": n, "value": val, "optionValue": None}
            for n, val in zip(names, v.options, strict=False)]


register("ProductVariant", {
    "id": lambda v, c, a: gid("ProductVariant", v.id),
    "legacyResourceId": lambda v, c, a: str(v.id), "title": lambda v, c, a: v.title,
    "displayName": lambda v, c, a: f"{c.shop.products[v.product_id].title} - {v.title}",
    "sku": attr("sku"), "barcode": attr("barcode"), "price": attr("price"),
    "compareAtPrice": attr("compare_at_price"), "position": attr("position"),
    "inventoryPolicy": attr("inventory_policy"),
    "inventoryQuantity": lambda v, c, a: v.inventory_quantity, "taxable": attr("taxable"),
    "availableForSale": lambda v, c, a: v.inventory_quantity > 0 or v.inventory_policy
    == "CONTINUE",
    "selectedOptions": _selected_options, "inventoryItem": lambda v, c, a: v.item,
    "product": lambda v, c, a: c.shop.products.get(v.product_id), "image": const(None),
    "media": lambda v, c, a: paginate([], a), "taxCode": const(None),
    "createdAt": lambda v, c, a: iso(v.created_at), "updatedAt": lambda v, c, a: iso(v.updated_at),
}, Variant)

PRODUCT_SEARCH = {
    "sku": lambda p: [v.sku for v in p.variants], "barcode": lambda p: [v.barcode for v in
                                                                       p.variants],
    "status": lambda p: p.status, "updated_at": lambda p: p.updated_at,
    "created_at": lambda p: p.created_at, "handle": lambda p: p.handle, "tag": lambda p: p.tags,
    "vendor": lambda p: p.vendor, "product_type": lambda p: p.product_type,
    "title": lambda p: p.title, "id": lambda p: p.id,
    "category_id": lambda p: p.category,
    "inventory_total": lambda p: sum(v.inventory_quantity for v in p.variants),
}
PRODUCT_SORT = {
    "ID": lambda p: (p.id,), "TITLE": lambda p: (p.title.lower(), p.id),
    "UPDATED_AT": lambda p: (p.updated_at, p.id), "CREATED_AT": lambda p: (p.created_at, p.id),
    "VENDOR": lambda p: (p.vendor, p.id), "PRODUCT_TYPE": lambda p: (p.product_type, p.id),
    "INVENTORY_TOTAL": lambda p: (sum(v.inventory_quantity for v in p.variants), p.id),
    "RELEVANCE": lambda p: (p.id,),
}
VARIANT_SEARCH = {
    "sku": lambda v: v.sku, "barcode": lambda v: v.barcode, "product_id": lambda v: v.product_id,
    "id": lambda v: v.id, "updated_at": lambda v: v.updated_at,
    "created_at": lambda v: v.created_at, "title": lambda v: v.title,
    "inventory_item_id": lambda v: str(v.item.id),
    "location_id": lambda v: list(v.item.levels),
}


def _products(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.products(query:, sortKey:)."""
    match = query_matcher(ctx, args, PRODUCT_SEARCH)
    key = PRODUCT_SORT.get(args.get("sortKey") or "ID", PRODUCT_SORT["ID"])
    items = [p for p in ctx.shop.products.values() if match(p)]
    if args.get("sortKey") not in (None, "ID", "RELEVANCE"):
        items.sort(key=key)
    return paginate(items, args, key=key)


def _variants(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.productVariants(query:)."""
    match = query_matcher(ctx, args, VARIANT_SEARCH)
    items = [v for v in ctx.shop.variants.values() if match(v)]
    return paginate(items, args, key=lambda v: (v.id,))


def _count(ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """QueryRoot.productsCount(query:)."""
    match = query_matcher(ctx, args, PRODUCT_SEARCH)
    return {"count": sum(1 for p in ctx.shop.products.values() if match(p)),
            "precision": "EXACT"}


def _by_identifier(root: Any, ctx: Ctx, args: dict[str, Any]) -> Product | None:
    """QueryRoot.productByIdentifier (id or handle)."""
    ident = args["identifier"]
    if ident.get("id"):
        return lookup(ctx.shop, ident["id"], "Product")  # type: ignore[no-any-return]
    if ident.get("handle"):
        pid = ctx.shop.handles.get(ident["handle"])
        return ctx.shop.products.get(pid) if pid else None
    return None


register("QueryRoot", {
    "products": _products, "productVariants": _variants,
    "product": lambda r, c, a: lookup(c.shop, a["id"], "Product"),
    "productVariant": lambda r, c, a: lookup(c.shop, a["id"], "ProductVariant"),
    "productByHandle": lambda r, c, a: c.shop.products.get(c.shop.handles.get(a["handle"], 0)),
    "productByIdentifier": _by_identifier,
    "productsCount": lambda r, c, a: _count(c, a),
    "productVariantsCount": lambda r, c, a: {"count": len(c.shop.variants),
                                             "precision": "EXACT"},
})
