"""The chaos suite's verdict: the platforms' final state (read through the sandboxes' control
APIs, never our database) against what must be there. Called by `bench/chaos.py`, repeatedly
until everything matches or the convergence window closes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from chaos_drive import Driver, ok


def _zero(report: dict[str, Any]) -> bool:
    """True when no mismatch, duplicate or missing count is left."""
    return (report["products"]["mismatched"] == 0 and report["stock_mismatches"] == 0
            and report["products"]["duplicates"] == 0
            and report["orders"]["duplicates"] == 0 and report["orders"]["missing"] == 0
            and report["fulfillments"]["duplicates"] == 0
            and report["fulfillments"]["missing"] == 0
            and report["cancellations"]["missing"] == 0)


async def check(d: Driver) -> dict[str, Any]:
    """Products, stock, orders, fulfillments and cancellations, with `converged` True at zero."""
    report = {**await _products(d), **await _orders(d)}
    report["converged"] = _zero(report)
    return report


async def _products(d: Driver) -> dict[str, Any]:
    shopify = (await ok(d.http.get(f"{d.shop}/products", params={"limit": 100000})))["products"]
    levels = (await ok(d.http.get(f"{d.shop}/inventory")))["inventory_levels"]
    stock: dict[str, int] = defaultdict(int)
    for level in levels:
        stock[str(level["inventory_item_id"])] += max(int(level["available"]), 0)
    listed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for product in await d.tiktok_products():
        for sku_id, seller_sku in (product.get("seller_skus") or {}).items():
            listed[seller_sku].append({"product": product, "sku_id": sku_id})
    exact = mismatched = stock_bad = duplicates = 0
    examples: list[str] = []
    for p in shopify:
        variant = p["variants"][0]
        sku = variant["sku"]
        copies = listed.get(sku, [])
        duplicates += max(len(copies) - 1, 0)
        want_qty = stock[str(variant["inventory_item_id"])]
        problem = _product_problem(p["title"], Decimal(variant["price"]), want_qty, copies)
        if problem is None:
            exact += 1
            continue
        mismatched += 1
        stock_bad += problem.startswith("stock")
        if len(examples) < 5:
            examples.append(f"{sku}: {problem}")
    return {"products": {"expected": len(shopify), "exact": exact, "mismatched": mismatched,
                         "duplicates": duplicates},
            "stock_mismatches": stock_bad, "product_examples": examples}


def _product_problem(title: str, price: Decimal, qty: int,
                     copies: list[dict[str, Any]]) -> str | None:
    """Why the TikTok listing differs from the Shopify product, or None when it is exact."""
    if not copies:
        return "not listed"
    product, sku_id = copies[0]["product"], copies[0]["sku_id"]
    if product.get("title") != title:
        return f"title {product.get('title')!r} != {title!r}"
    listed_price = (product.get("prices") or {}).get(sku_id)
    if listed_price is None or Decimal(str(listed_price)) != price:
        return f"price {listed_price} != {price}"
    listed_qty = sum(int(q) for q in ((product.get("inventory") or {}).get(sku_id) or {})
                     .values())
    if listed_qty != qty:
        return f"stock {listed_qty} != {qty}"
    return None


async def _orders(d: Driver) -> dict[str, Any]:
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in await d.shopify_orders():
        if order.get("source_identifier"):
            by_source[str(order["source_identifier"])].append(order)
    packages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for package in (await ok(d.http.get(f"{d.tts}/packages")))["packages"]:
        packages[str(package["order_id"])].append(package)
    orders = {"expected": len(d.plan.orders), "created": 0, "duplicates": 0, "missing": 0}
    fulfil = {"expected": len(d.plan.tracking), "synced": 0, "duplicates": 0, "missing": 0}
    cancels = {"expected": 0, "synced": 0, "missing": 0}
    examples: list[str] = []
    for tid, kind in d.plan.orders.items():
        found = by_source.get(tid, [])
        orders["created"] += bool(found)
        orders["duplicates"] += max(len(found) - 1, 0)
        orders["missing"] += not found
        if not found:
            examples.append(f"order {tid} ({kind}): not in Shopify")
            continue
        if kind == "cancel" and tid in d.plan.shopify_order:
            cancels["expected"] += 1
            done = all(o.get("cancelled_at") for o in found)
            cancels["synced" if done else "missing"] += 1
            if not done:
                examples.append(f"order {tid}: cancelled on TikTok, open in Shopify")
        elif tid in d.plan.tracking:
            state = _fulfilment(kind, d.plan.tracking[tid], found, packages.get(tid, []))
            fulfil[state] += 1
            if state != "synced":
                examples.append(f"order {tid} ({kind}) fulfillment: {state}")
    return {"orders": orders, "fulfillments": fulfil, "cancellations": cancels,
            "order_examples": examples[:8]}


def _fulfilment(kind: str, number: str, orders: list[dict[str, Any]],
                packages: list[dict[str, Any]]) -> str:
    """'synced', 'duplicates' or 'missing' for one fulfilled order."""
    if kind == "seller":  # Shopify fulfillment -> the TikTok package carries its tracking
        shipped = [p for p in packages if p.get("tracking_number") == number]
        return "synced" if len(shipped) == 1 else "duplicates" if shipped else "missing"
    made = [f for o in orders for f in o.get("fulfillments") or []
            if f.get("status") != "cancelled"]
    if not made:
        return "missing"
    if len(made) > 1:
        return "duplicates"
    return "synced" if made[0].get("tracking_number") == number else "missing"
