"""Collection; QueryRoot collections/collection/collectionByHandle; Product.collections.

Manual collections only (an ordered list of products); smart-collection rules are not
simulated.
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    attr,
    const,
    paginate,
    query_matcher,
    register,
)
from ecomsend.sandbox.shopify.resolvers.products import _description
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import Collection, Product
from ecomsend.sandbox.shopify.util import gid, iso, parse_gid


def _products(c: Collection, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Collection.products (existing products, by id)."""
    items = [ctx.shop.products[pid] for pid in c.product_ids if pid in ctx.shop.products]
    return paginate(sorted(items, key=lambda p: p.id), args)


register("Collection", {
    "id": lambda c, x, a: gid("Collection", c.id), "legacyResourceId": lambda c, x, a:
    str(c.id), "title": attr("title"), "handle": attr("handle"),
    "descriptionHtml": attr("body_html"),
    "description": lambda c, x, a: _description(c, x, a),
    "updatedAt": lambda c, x, a: iso(c.updated_at), "sortOrder": const("MANUAL"),
    "ruleSet": const(None), "templateSuffix": const(None), "image": const(None),
    "seo": const({"title": None, "description": None}),
    "productsCount": lambda c, x, a: {"count": len(c.product_ids), "precision": "EXACT"},
    "products": _products,
    "hasProduct": lambda c, x, a: parse_gid(a["id"], "Product") in c.product_ids,
}, Collection)


def product_collections(p: Product, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Product.collections: the collections holding the product."""
    return paginate([c for c in ctx.shop.collections.values() if p.id in c.product_ids], args)


def _collections(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.collections(query:): title, handle, id, updated_at."""
    match = query_matcher(ctx, args, {
        "title": lambda c: c.title, "handle": lambda c: c.handle, "id": lambda c: c.id,
        "updated_at": lambda c: c.updated_at})
    return paginate([c for c in ctx.shop.collections.values() if match(c)], args)


register("Product", {"collections": product_collections})
register("QueryRoot", {
    "collections": _collections,
    "collection": lambda r, c, a: lookup(c.shop, a["id"], "Collection"),
    "collectionByHandle": lambda r, c, a: next(
        (x for x in c.shop.collections.values() if x.handle == a["handle"]), None),
})
