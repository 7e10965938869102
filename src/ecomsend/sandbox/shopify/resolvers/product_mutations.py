"""productSet, productCreate, productUpdate, productDelete (reference §7).

productSet has list-replacement semantics: variants missing from the input are deleted, scalar
fields omitted are left unchanged. Limits: 3 options, 2048 variants, unique handles.
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify import merchant, payloads
from ecomsend.sandbox.shopify.resolvers.base import Ctx, SandboxError, register, user_error
from ecomsend.sandbox.shopify.resolvers.product_set import apply_variants, check_set_input
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import Image, Option, Product
from ecomsend.sandbox.shopify.taxonomy import category_id
from ecomsend.sandbox.shopify.util import gid, now, parse_gid

#: ProductInput/ProductSetInput scalar fields → Product attributes.
SCALARS = {"title": "title", "descriptionHtml": "body_html", "vendor": "vendor",
           "productType": "product_type", "status": "status"}


def _apply_scalars(ctx: Ctx, product: Product, inp: dict[str, Any]) -> None:
    """Apply ProductInput/ProductSetInput scalars, tags, category, collections, files."""
    for gql, attr_name in SCALARS.items():
        if inp.get(gql) is not None:
            setattr(product, attr_name, inp[gql])
    if inp.get("tags") is not None:
        product.tags = [t.strip() for tag in inp["tags"] for t in tag.split(",") if t.strip()]
    if inp.get("handle") and inp["handle"] != product.handle:
        ctx.shop.handles.pop(product.handle, None)
        product.handle = inp["handle"]
        ctx.shop.handles[product.handle] = product.id
    if "category" in inp:
        product.category = category_id(inp["category"])
    _apply_collections(ctx, product, inp)
    if inp.get("files") is not None:
        product.images = [Image(id=ctx.sandbox.next_id(), src=f["originalSource"],
                                alt=f.get("alt"), position=i + 1)
                          for i, f in enumerate(inp["files"]) if f.get("originalSource")]


def _apply_collections(ctx: Ctx, product: Product, inp: dict[str, Any]) -> None:
    """`collections` (productSet: the full list) or collectionsToJoin/Leave."""
    wanted = inp.get("collections")
    join = inp.get("collectionsToJoin") or []
    leave = {parse_gid(c, "Collection") for c in inp.get("collectionsToLeave") or []}
    for coll in ctx.shop.collections.values():
        member = product.id in coll.product_ids
        if wanted is not None:
            keep = gid("Collection", coll.id) in wanted
        else:
            keep = (member or gid("Collection", coll.id) in join) and coll.id not in leave
        if keep and not member:
            coll.product_ids.append(product.id)
        elif member and not keep:
            coll.product_ids.remove(product.id)


def _find_for_set(ctx: Ctx, args: dict[str, Any]) -> tuple[Product | None, list[Any]]:
    """The product productSet targets (identifier or input.id), or userErrors."""
    ident = args.get("identifier") or {}
    inp = args["input"]
    if ident.get("customId"):
        raise SandboxError("productSet identifier.customId is not supported by the sandbox",
                           extensions={"code": "NOT_SUPPORTED_BY_SANDBOX"})
    pid = ident.get("id") or inp.get("id")
    if pid:
        product = lookup(ctx.shop, pid, "Product")
        if product is None:
            field = ["identifier", "id"] if ident.get("id") else ["input", "id"]
            return None, [user_error(field, "Product does not exist",
                                     "PRODUCT_DOES_NOT_EXIST")]
        return product, []
    if ident.get("handle"):
        existing = ctx.shop.handles.get(ident["handle"])
        return (ctx.shop.products[existing] if existing else None), []
    return None, []


def _product_set(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """productSet: create or update with list replacement of variants."""
    inp = args["input"]
    product, errors = _find_for_set(ctx, args)
    if not errors:
        errors = check_set_input(ctx, product, args)
    if errors:
        return {"product": None, "productSetOperation": None, "userErrors": errors}
    created = product is None
    if product is None:
        handle = inp.get("handle") or (args.get("identifier") or {}).get("handle")
        product = merchant.add_product(ctx.sandbox, ctx.shop, title=inp["title"],
                                       handle=handle)
    _apply_scalars(ctx, product, inp)
    if inp.get("productOptions") is not None:
        product.options = [Option(id=ctx.sandbox.next_id(), name=o["name"],
                                  values=[v["name"] for v in o.get("values") or []],
                                  position=i + 1) for i, o in enumerate(inp["productOptions"])]
    event = merchant.new_event_id()
    if inp.get("variants") is not None:
        apply_variants(ctx, product, inp["variants"], event)
    product.updated_at = now()
    merchant.fire_product(ctx.sandbox, ctx.shop, product,
                          "products/create" if created else "products/update", event)
    if args.get("synchronous") is False:
        op = {"id": gid("ProductSetOperation", ctx.sandbox.next_id()), "status": "COMPLETE",
              "product": product, "userErrors": []}
        return {"product": None, "productSetOperation": op, "userErrors": []}
    return {"product": product, "productSetOperation": None, "userErrors": []}


def _product_create(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """productCreate: one product with one variant (first option values)."""
    inp = args.get("product") or args.get("input") or {}
    field = "product" if args.get("product") is not None else "input"
    if not inp.get("title"):
        return {"product": None, "shop": ctx.shop,
                "userErrors": [user_error([field, "title"], "Title can't be blank")]}
    if inp.get("handle") and inp["handle"] in ctx.shop.handles:
        return {"product": None, "shop": ctx.shop, "userErrors": [user_error(
            [field, "handle"], f"Handle '{inp['handle']}' already in use. Please provide a new "
            "handle.")]}
    options = inp.get("productOptions") or []
    product = merchant.add_product(ctx.sandbox, ctx.shop, title=inp["title"],
                                   handle=inp.get("handle"),
                                   option_names=[o["name"] for o in options])
    _apply_scalars(ctx, product, {k: v for k, v in inp.items() if k != "handle"})
    first_values = [(o.get("values") or [{"name": "Default"}])[0]["name"] for o in options]
    variant = merchant.add_variant(ctx.sandbox, ctx.shop, product, price="0.00",
                                   options=first_values)
    event = merchant.new_event_id()
    merchant.emit(ctx.sandbox, ctx.shop, "inventory_items/create",
                  payloads.inventory_item_json(variant.item), event)
    merchant.fire_product(ctx.sandbox, ctx.shop, product, "products/create", event)
    return {"product": product, "shop": ctx.shop, "userErrors": []}


def _product_update(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """productUpdate: scalar fields only."""
    inp = args.get("product") or args.get("input") or {}
    field = "product" if args.get("product") is not None else "input"
    ident = (args.get("identifier") or {}).get("id") or inp.get("id")
    product = lookup(ctx.shop, ident, "Product") if ident else None
    if product is None:
        return {"product": None, "userErrors": [user_error([field, "id"],
                                                           "Product does not exist")]}
    other = ctx.shop.handles.get(inp.get("handle") or "")
    if other and other != product.id:
        return {"product": None, "userErrors": [user_error(
            [field, "handle"], f"Handle '{inp['handle']}' already in use. Please provide a new "
            "handle.")]}
    _apply_scalars(ctx, product, inp)
    product.updated_at = now()
    merchant.fire_product(ctx.sandbox, ctx.shop, product, "products/update")
    return {"product": product, "userErrors": []}


def _product_delete(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """productDelete (synchronous)."""
    pid = parse_gid(args["input"].get("id"), "Product")
    product = ctx.shop.products.get(pid or 0)
    if product is None:
        return {"deletedProductId": None, "productDeleteOperation": None, "shop": ctx.shop,
                "userErrors": [user_error(["id"], "Product does not exist")]}
    merchant.delete_product(ctx.sandbox, ctx.shop, product)
    return {"deletedProductId": gid("Product", product.id), "productDeleteOperation": None,
            "shop": ctx.shop, "userErrors": []}


register("Mutation", {"productSet": _product_set, "productCreate": _product_create,
                      "productUpdate": _product_update, "productDelete": _product_delete})
