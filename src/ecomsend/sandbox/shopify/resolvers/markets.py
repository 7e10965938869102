"""ProductVariant.contextualPricing: the price a buyer in a country pays (see `markets`)."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.markets import contextual_pricing
from ecomsend.sandbox.shopify.resolvers.base import Ctx, register
from ecomsend.sandbox.shopify.store import Variant


def _contextual(v: Variant, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """`context: {country}` picks the market; companyLocationId/locationId (B2B, POS) are not
    modelled and price as a context without a country (the store's own prices)."""
    context = args.get("context") or {}
    return contextual_pricing(ctx.shop, v, context.get("country"))


register("ProductVariant", {"contextualPricing": _contextual})
