"""Product endpoints: create, edit (full), partial edit, get, search, listing check."""

from __future__ import annotations

import copy
from typing import Any

from ecomsend.sandbox.tiktok.audit import start_audit
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.product_model import (
    content_signature,
    create_response,
    sku_store_shape,
    wire_product,
    wire_search_item,
)
from ecomsend.sandbox.tiktok.shops import prerequisite_error
from ecomsend.sandbox.tiktok.state import Product, Shop, now
from ecomsend.sandbox.tiktok.validation import validate_product

PRODUCT_NOT_FOUND = 12052260
PRODUCT_OTHER_SHOP = 12052034
BAD_STATUS = 12052901
LISTING_LIMIT = 12052093
SKU_NOT_FOUND = 12052556
INVALID_PARAMS = 12052910
SELLER_SKUS_LIMIT = 12019027
#: Search Products: page_size 1–100; seller_skus ≤ 10 (reference §6).
SEARCH_PAGE_MAX = 100
SEARCH_SELLER_SKUS_MAX = 10
#: Fields a partial edit may not change (reference §4.3: create fields minus category).
_PARTIAL_FORBIDDEN = ("category_id", "category_version")
#: Search status filter values (reference §4.4).
SEARCH_STATUSES = ("ALL", "DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED",
                   "PLATFORM_DEACTIVATED", "FREEZE", "DELETED")


def get_own_product(ctx: Ctx, product_id: str) -> Product:
    """A product of the request's shop, or 12052260 / 12052034."""
    product = ctx.shop.products.get(product_id)
    if product is not None:
        return product
    if ctx.sb.store.find_product(product_id):
        raise ApiError(PRODUCT_OTHER_SHOP, f"This product doesn't belong to this shop: "
                       f"{product_id}.")
    raise ApiError(PRODUCT_NOT_FOUND, f"The product ID does not exist: {product_id}.")


def _body_without_skus(body: dict[str, Any]) -> dict[str, Any]:
    """The stored (non-SKU) part of a product body."""
    return {k: copy.deepcopy(v) for k, v in body.items()
            if k not in ("skus", "idempotency_key", "save_mode")}


def _check_can_create(shop: Shop) -> None:
    """Listing prerequisites and the new-shop upload limit."""
    err = prerequisite_error(shop)
    if err is not None:
        raise err
    limit = shop.settings.upload_limit
    if limit is not None and shop.created_products >= limit:
        raise ApiError(LISTING_LIMIT, f"Exceeded the product listing limit for the seller: "
                       f"this new shop may list {limit} products.")


def store_new_product(sb: Sandbox, shop: Shop, body: dict[str, Any], status: str) -> Product:
    """Create and register a product from an (already validated) body."""
    t = now()
    product = Product(id=sb.store.new_id("product"), shop_id=shop.id,
                      body=_body_without_skus(body),
                      skus=[sku_store_shape(sb, s, sb.store.new_id("sku")) for s in body["skus"]],
                      status=status, audit_status="NONE", create_time=t, update_time=t)
    if status == "ACTIVATE":
        product.audit_status, product.ever_approved = "APPROVED", True
    shop.products[product.id] = product
    return product


async def create_product(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products."""
    body = ctx.json()
    shop = ctx.shop
    key = body.get("idempotency_key")
    if key and key in shop.idempotency:
        return create_response(shop.products[shop.idempotency[key]])
    _check_can_create(shop)
    validate_product(ctx.sb, shop, body)
    draft = body.get("save_mode") == "AS_DRAFT"
    product = store_new_product(ctx.sb, shop, body, "DRAFT" if draft else "PENDING")
    shop.created_products += 1
    if key:
        shop.idempotency[str(key)] = product.id
    # PRODUCT_CREATION (type 16): the doc's example sends product_id as a JSON number and
    # `product_types` (COMBINED_PRODUCT / GPR_PRODUCT only; empty for a plain product).
    ctx.sb.webhooks.emit(shop, 16, {"product_id": int(product.id), "product_types": [],
                                    "update_time": product.create_time})
    if not draft:
        start_audit(ctx.sb, shop, product)
    return create_response(product)


def _as_create_body(product: Product) -> dict[str, Any]:
    """A stored product as a full Create Product body."""
    body = copy.deepcopy(product.body)
    body["skus"] = [{k: copy.deepcopy(v) for k, v in s.items() if k != "committed"}
                    for s in product.skus]
    return body


def _merge_live_fields(product: Product, body: dict[str, Any]) -> None:
    """Edit keeps price and inventory of existing SKUs when omitted (reference §4.3)."""
    existing = {s["id"]: s for s in product.skus}
    for i, sku in enumerate(body.get("skus") or []):
        if not isinstance(sku, dict) or not sku.get("id"):
            continue
        old = existing.get(str(sku["id"]))
        if old is None:
            raise ApiError(SKU_NOT_FOUND, f"The SKU id not exist: skus[{i}].id {sku['id']}.")
        for name in ("price", "inventory"):
            if not sku.get(name):
                sku[name] = copy.deepcopy(old[name])


def apply_edit(ctx: Ctx, product: Product, body: dict[str, Any]) -> dict[str, Any]:
    """Validate and store a full body; content changes go back to audit."""
    if product.status in ("DELETED", "FREEZE"):
        raise ApiError(BAD_STATUS, "The product in its current status is not available for this "
                       f"operation: {product.status}.")
    _merge_live_fields(product, body)
    validate_product(ctx.sb, ctx.shop, body)
    before = content_signature(product.body, product.skus)
    old_body = product.body
    old_skus = {s["id"]: s for s in product.skus}
    product.body = _body_without_skus(body)
    product.skus = []
    for raw in body["skus"]:
        sid = str(raw.get("id") or ctx.sb.store.new_id("sku"))
        sku = sku_store_shape(ctx.sb, raw, sid)
        sku["committed"] = old_skus[sid]["committed"] if sid in old_skus else {}
        product.skus.append(sku)
    product.update_time = now()
    changed = content_signature(product.body, product.skus) != before
    fields = sorted(k for k in {*old_body, *product.body} if old_body.get(k) != product.body.get(k))
    if changed:
        # PRODUCT_INFORMATION_CHANGE (type 15): product_id, changed_fields, update_time.
        ctx.sb.webhooks.emit(ctx.shop, 15, {"product_id": product.id,
                                            "changed_fields": fields or ["skus"],
                                            "update_time": product.update_time})
    if body.get("save_mode") == "AS_DRAFT":
        product.status = "DRAFT"
    elif changed or product.status in ("DRAFT", "FAILED"):
        start_audit(ctx.sb, ctx.shop, product)
    return create_response(product)


async def edit_product(ctx: Ctx) -> dict[str, Any]:
    """PUT /product/202309|202509/products/{product_id}: full replace."""
    product = get_own_product(ctx, ctx.params["product_id"])
    return apply_edit(ctx, product, ctx.json())


async def partial_edit_product(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309|202509/products/{product_id}/partial_edit: per top-level field."""
    product = get_own_product(ctx, ctx.params["product_id"])
    given = ctx.json()
    body = _as_create_body(product)
    for key, value in given.items():
        if key not in _PARTIAL_FORBIDDEN:
            body[key] = value
    return apply_edit(ctx, product, body)


async def get_product(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/products/{product_id}."""
    product = get_own_product(ctx, ctx.params["product_id"])
    return wire_product(ctx.sb, ctx.shop, product)


def _search_filter(body: dict[str, Any]) -> Any:
    """A predicate for the Search Products body filters."""
    status = body.get("status") or "ALL"
    if status not in SEARCH_STATUSES:
        raise ApiError(INVALID_PARAMS, f"Invalid input parameters: status {status!r}.")
    skus = body.get("seller_skus") or []
    sku_ids = body.get("sku_ids") or []
    if len(skus) > SEARCH_SELLER_SKUS_MAX or len(sku_ids) > SEARCH_SELLER_SKUS_MAX:
        raise ApiError(SELLER_SKUS_LIMIT, "seller_skus and sku_ids take at most 10 values.")
    windows = [(body.get(f"{f}_ge"), body.get(f"{f}_le"), f) for f in ("create_time",
                                                                     "update_time")]

    def keep(p: Product) -> bool:
        if (status == "ALL" and p.status == "DELETED") or status not in ("ALL", p.status):
            return False
        if skus and not any(s["seller_sku"] in skus for s in p.skus):
            return False
        if sku_ids and not any(s["id"] in sku_ids for s in p.skus):
            return False
        for ge, le, name in windows:
            value = getattr(p, name)
            if (ge is not None and value < ge) or (le is not None and value > le):
                return False
        return True

    return keep


async def search_products(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309|202312|202502/products/search (page_size required, 1–100)."""
    size = ctx.page_size(SEARCH_PAGE_MAX, INVALID_PARAMS)
    keep = _search_filter(ctx.json())
    found = [wire_search_item(ctx.shop, p) for p in ctx.shop.products.values() if keep(p)]
    return paged("products", found, ctx.query.get("page_token"), size, INVALID_PARAMS)


async def listing_check(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/listing_check: the create validation, nothing stored."""
    try:
        validate_product(ctx.sb, ctx.shop, ctx.json())
    except ApiError as err:
        return {"check_result": "FAILED", "listing_quality": "POOR",
                "diagnoses": [{"code": err.code, "message": err.message}]}
    return {"check_result": "PASSED", "listing_quality": "GOOD", "diagnoses": []}
