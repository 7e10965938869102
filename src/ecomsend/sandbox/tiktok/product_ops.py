"""Product status operations, inventory and price updates (reference §4.3)."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.products import BAD_STATUS, get_own_product
from ecomsend.sandbox.tiktok.state import Product, now
from ecomsend.sandbox.tiktok.validation_common import fail
from ecomsend.sandbox.tiktok.validation_skus import check_inventory_entry
from ecomsend.sandbox.tiktok.validation_skus import check_price as check_sku_price

#: Activate/deactivate/delete/recover take at most 20 product ids (reference §6).
BATCH_MAX = 20
TOO_MANY_IDS = 12019120
PRODUCT_MISSING = 12052032
SKU_LIST_EMPTY = 12052902
SKU_NOT_FOUND = 12052556
SKU_NOT_IN_PRODUCT = 12052557
ALL_WAREHOUSES = 12019028
WAREHOUSE_CHANGE = 12052533
#: Allowed source statuses of each batch operation, and the resulting status.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "activate": (("SELLER_DEACTIVATED",), "ACTIVATE"),
    "deactivate": (("ACTIVATE", "PENDING", "FAILED"), "SELLER_DEACTIVATED"),
    "delete": (("DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED",
                "PLATFORM_DEACTIVATED"), "DELETED"),
    "recover": (("DELETED",), "SELLER_DEACTIVATED"),
}


def _product_ids(body: dict[str, Any]) -> list[str]:
    """The `product_ids` of a batch body (1–20)."""
    ids = body.get("product_ids")
    if not isinstance(ids, list) or not ids:
        raise ApiError(12052910, "Invalid input parameters: product_ids is required.")
    if len(ids) > BATCH_MAX:
        raise ApiError(TOO_MANY_IDS, "The number of provided product IDs exceeds the limit (20).")
    return [str(i) for i in ids]


def _batch(op: str) -> Any:
    """A handler moving products between statuses, with per-product errors."""
    sources, target = TRANSITIONS[op]

    async def handler(ctx: Ctx) -> dict[str, Any]:
        errors = []
        for pid in _product_ids(ctx.json()):
            product = ctx.shop.products.get(pid)
            if product is None:
                errors.append({"code": PRODUCT_MISSING, "message": "The product does not exist",
                               "detail": {"product_id": pid}})
                continue
            if product.status not in sources:
                errors.append({"code": BAD_STATUS, "message": "The product in its current "
                               f"status ({product.status}) is not available for this operation.",
                               "detail": {"product_id": pid}})
                continue
            product.status, product.update_time = target, now()
            product.audit_generation += 1  # a pending audit no longer applies
            ctx.sb.webhooks.emit(ctx.shop, 5, {"product_id": int(pid),
                                               "status": "PRODUCT_STATUS_CHANGED",
                                               "suspended_reason": "",
                                               "update_time": product.update_time})
        # Partial failures are data.errors with code 0 (reference §3.1).
        return {"errors": errors} if errors else {}

    handler.__doc__ = f"POST /product/202309/products/{op} (DELETE for delete)."
    return handler


activate_products = _batch("activate")
deactivate_products = _batch("deactivate")
delete_products = _batch("delete")
recover_products = _batch("recover")


def _editable(product: Product) -> None:
    """Refuse operations on DELETED or FREEZE products."""
    if product.status in ("DELETED", "FREEZE"):
        raise ApiError(BAD_STATUS, "The product in its current status is not available for this "
                       f"operation: {product.status}.")


def _sku_inventory_error(ctx: Ctx, sku: dict[str, Any], entries: list[Any], where: str
                         ) -> dict[str, Any] | None:
    """Validate one SKU's inventory list; the error entry for data.errors or None."""
    assigned = [i["warehouse_id"] for i in sku["inventory"]]
    if len(entries) == 1 and not entries[0].get("warehouse_id") and len(assigned) == 1:
        entries[0]["warehouse_id"] = assigned[0]  # optional with a single warehouse
    try:
        for j, inv in enumerate(entries):
            check_inventory_entry(ctx.sb, ctx.shop, inv, f"{where}.inventory[{j}]")
    except ApiError as err:
        return {"code": err.code, "message": err.message, "detail": {"sku_id": sku["id"]}}
    given = {str(i["warehouse_id"]) for i in entries}
    if not given <= set(assigned):
        return {"code": WAREHOUSE_CHANGE, "message": "Removal, addition, and change of "
                "warehouses are not permitted.", "detail": {"sku_id": sku["id"]}}
    if given != set(assigned):
        return {"code": ALL_WAREHOUSES, "message": "Multiple warehouses detected. Include all "
                "warehouse IDs and the corresponding details and try again.",
                "detail": {"sku_id": sku["id"], "extra_errors": [
                    {"code": ALL_WAREHOUSES, "message": "missing", "warehouse_id": w}
                    for w in assigned if w not in given]}}
    return None


async def update_inventory(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/{product_id}/inventory/update; per-SKU errors in data."""
    product = get_own_product(ctx, ctx.params["product_id"])
    _editable(product)
    skus = ctx.json().get("skus")
    if not isinstance(skus, list) or not skus:
        raise ApiError(SKU_LIST_EMPTY, "The SKU list is empty.")
    by_id = {s["id"]: s for s in product.skus}
    errors = []
    for i, item in enumerate(skus):
        sku = by_id.get(str(item.get("id", ""))) if isinstance(item, dict) else None
        if sku is None:
            errors.append({"code": SKU_NOT_FOUND, "message": "The SKU id not exist.",
                           "detail": {"sku_id": str((item or {}).get("id", ""))}})
            continue
        entries = [dict(e) for e in item.get("inventory") or [] if isinstance(e, dict)]
        err = _sku_inventory_error(ctx, sku, entries, f"skus[{i}]") if entries else \
            {"code": 12019022, "message": "SKU must contain a valid warehouse.",
             "detail": {"sku_id": sku["id"]}}
        if err:
            errors.append(err)
            continue
        quantities = {str(e["warehouse_id"]): e["quantity"] for e in entries}
        for inv in sku["inventory"]:
            inv["quantity"] = quantities[inv["warehouse_id"]]
    product.update_time = now()
    return {"errors": errors} if errors else {}


async def update_price(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/{product_id}/prices/update: only ACTIVATE products."""
    product = get_own_product(ctx, ctx.params["product_id"])
    if product.status != "ACTIVATE":
        raise ApiError(BAD_STATUS, "The product in its current status is not available for this "
                       f"operation: price updates need ACTIVATE, the product is {product.status}.")
    skus = ctx.json().get("skus")
    if not isinstance(skus, list) or not skus:
        raise ApiError(SKU_LIST_EMPTY, "The SKU list is empty.")
    by_id = {s["id"]: s for s in product.skus}
    updates = []
    for i, item in enumerate(skus):
        sku = by_id.get(str(item.get("id", ""))) if isinstance(item, dict) else None
        if sku is None:
            raise ApiError(SKU_NOT_IN_PRODUCT, f"The SKU ID does not belong to the product: "
                           f"skus[{i}].id.")
        check_sku_price(ctx.shop, market(ctx.shop.region), i, item)
        updates.append((sku, item["price"]))
    for sku, price in updates:
        amount = price.get("amount") or price.get("sale_price")
        sku["price"] = {"amount": str(amount), "currency": price.get("currency")}
    product.update_time = now()
    return {}


async def search_inventory(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/inventory/search {product_ids} or {sku_ids}."""
    body = ctx.json()
    pids = [str(p) for p in body.get("product_ids") or []]
    sku_ids = {str(s) for s in body.get("sku_ids") or []}
    if bool(pids) == bool(sku_ids):
        raise fail("bad_params", "Invalid input parameters: give product_ids or sku_ids.")
    out = []
    for product in ctx.shop.products.values():
        skus = [s for s in product.skus if product.id in pids or s["id"] in sku_ids]
        if skus:
            out.append({"product_id": product.id, "skus": [_inventory_item(s) for s in skus]})
    return {"inventory": out}


def _inventory_item(sku: dict[str, Any]) -> dict[str, Any]:
    """An Inventory Search SKU entry."""
    committed = sku.get("committed") or {}
    wh = [{"warehouse_id": i["warehouse_id"], "available_quantity": i["quantity"],
           "committed_quantity": committed.get(i["warehouse_id"], 0)} for i in sku["inventory"]]
    return {"id": sku["id"], "seller_sku": sku["seller_sku"],
            "total_available_quantity": sum(w["available_quantity"] for w in wh),
            "total_committed_quantity": sum(w["committed_quantity"] for w in wh),
            "warehouse_inventory": wh}
