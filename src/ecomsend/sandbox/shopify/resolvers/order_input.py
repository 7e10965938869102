"""Turn an `OrderCreateOrderInput` into a store Order, or userErrors (reference §9).

Called by `resolvers.orders._order_create`.
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.customers import order_customer
from ecomsend.sandbox.shopify.merchant_orders import line_from_variant
from ecomsend.sandbox.shopify.resolvers.base import Ctx, user_error
from ecomsend.sandbox.shopify.store import LineItem, Order
from ecomsend.sandbox.shopify.util import money, now, parse_gid, parse_time


def _line(ctx: Ctx, i: int, li: dict[str, Any]) -> LineItem | dict[str, Any]:
    """One OrderCreateLineItemInput as a LineItem, or a userError."""
    path = ["order", "lineItems", str(i)]
    if li["quantity"] <= 0:
        return user_error([*path, "quantity"], "Quantity must be greater than 0", "INVALID")
    price = ((li.get("priceSet") or {}).get("shopMoney") or {}).get("amount")
    if li.get("variantId"):
        variant = ctx.shop.variants.get(parse_gid(li["variantId"], "ProductVariant") or 0)
        if variant is None:
            return user_error([*path, "variantId"], "Variant does not exist", "INVALID")
        line = line_from_variant(ctx.sandbox, ctx.shop, variant, li["quantity"],
                                 money(price) if price is not None else None)
        # Variant lines ship when the variant's item requires shipping (the input default
        # `requiresShipping: false` is documented for custom items; reference §9 [uncertain]).
        line.requires_shipping = variant.item.requires_shipping
        return line
    if not li.get("title") or price is None:
        return user_error(path, "A custom line item needs a title and a priceSet", "INVALID")
    return LineItem(id=ctx.sandbox.next_id(), title=li["title"], quantity=li["quantity"],
                    price=money(price), sku=li.get("sku"),
                    requires_shipping=bool(li.get("requiresShipping")),
                    variant_title=li.get("variantTitle"), vendor=li.get("vendor"))


def paid_amount(inp: dict[str, Any]) -> float:
    """What the buyer paid: successful SALE/CAPTURE transactions (refundCreate refunds at most
    this, tax included)."""
    return float(sum(float(t["amountSet"]["shopMoney"]["amount"])
                     for t in inp.get("transactions") or []
                     if (t.get("kind") or "SALE") in ("SALE", "CAPTURE")
                     and (t.get("status") or "SUCCESS") == "SUCCESS"))


def _financial_status(inp: dict[str, Any], total: float) -> str:
    """financialStatus, else derived from successful SALE/CAPTURE transactions."""
    if inp.get("financialStatus"):
        return str(inp["financialStatus"])
    paid = paid_amount(inp)
    if paid <= 0:
        return "PENDING"
    return "PAID" if paid + 0.005 >= total else "PARTIALLY_PAID"


def build_order(ctx: Ctx, inp: dict[str, Any]) -> Order | list[dict[str, Any]]:
    """A new (unsaved) Order, or the userErrors that stop it."""
    lines: list[LineItem] = []
    errors: list[dict[str, Any]] = []
    for i, li in enumerate(inp.get("lineItems") or []):
        built = _line(ctx, i, li)
        (errors.append if isinstance(built, dict) else lines.append)(built)  # type: ignore[arg-type]
    if not lines and not errors:
        errors.append(user_error(["order", "lineItems"], "Line items must not be empty",
                                 "INVALID"))
    customer, refused = order_customer(ctx, inp)
    if refused is not None:
        errors.append(refused)
    if errors:
        return errors
    t = now()
    processed = parse_time(inp["processedAt"]) if inp.get("processedAt") else None
    shipping = [{"title": s["title"], "price": money(s["priceSet"]["shopMoney"]["amount"]),
                 "code": s.get("code"), "source": s.get("source")}
                for s in inp.get("shippingLines") or []]
    order = Order(
        id=ctx.sandbox.next_id(), number=ctx.shop.next_order_number,
        currency=inp.get("currency") or ctx.shop.currency, line_items=lines,
        email=inp.get("email"), source_name=inp.get("sourceName") or "api",
        source_identifier=inp.get("sourceIdentifier"), source_url=inp.get("sourceUrl"),
        tags=[x.strip() for tag in inp.get("tags") or [] for x in tag.split(",") if x.strip()],
        note=inp.get("note"),
        custom_attributes=[(a["key"], a["value"]) for a in inp.get("customAttributes") or []],
        shipping_address=inp.get("shippingAddress"), customer=customer,
        shipping_lines=shipping, test=bool(inp.get("test")),
        # 2026-07: a future processedAt is clamped to now (reference §9).
        processed_at=min(processed, t) if processed else t, created_at=t, updated_at=t)
    order.financial_status = _financial_status(inp, order.total)
    order.paid = paid_amount(inp) if inp.get("transactions") else None
    return order
