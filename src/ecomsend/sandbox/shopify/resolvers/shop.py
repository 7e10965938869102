"""Shop, Location, node(id)/nodes(ids): QueryRoot.shop, locations, location, node, nodes."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    attr,
    const,
    paginate,
    query_matcher,
    register,
    resolve_type,
)
from ecomsend.sandbox.shopify.scopes import check_type_access
from ecomsend.sandbox.shopify.store import Location, Shop
from ecomsend.sandbox.shopify.util import GID_RE, gid, iso

#: Where a GID type lives on the Shop object, for node(id:) and the by-id root fields.
GID_TABLES = {"Product": "products", "ProductVariant": "variants", "InventoryItem": "items",
              "Location": "locations", "Order": "orders", "Fulfillment": "fulfillments",
              "FulfillmentOrder": "fulfillment_orders", "WebhookSubscription": "subscriptions",
              "BulkOperation": "bulk_ops", "Collection": "collections"}


def lookup(shop: Shop, value: Any, type_name: str | None = None) -> Any:
    """The object a GID names (of `type_name` if given), or None."""
    m = GID_RE.match(value) if isinstance(value, str) else None
    if m is None or (type_name is not None and m.group("type") != type_name):
        return None
    if m.group("type") == "InventoryLevel":
        from ecomsend.sandbox.shopify.resolvers.inventory import level_from_gid
        return level_from_gid(shop, value)
    table = GID_TABLES.get(m.group("type"))
    if table is None:
        return None
    return getattr(shop, table).get(int(m.group("id")))


def _address(loc: Location, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """Location.address (a fixed sandbox address)."""
    return {"countryCode": loc.country_code, "provinceCode": loc.province_code, "zip": loc.zip,
            "address1": "1 Warehouse Way", "address2": None, "city": "New York",
            "country": "United States", "province": "New York", "phone": None,
            "formatted": [f"1 Warehouse Way, New York {loc.zip}", "United States"],
            "latitude": None, "longitude": None}


def _location_levels(loc: Location, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Location.inventoryLevels(query:): the items stocked there, filtered by the fields the
    schema documents for this argument (created_at, id, inventory_item_id, updated_at)."""
    from ecomsend.sandbox.shopify.resolvers.inventory import LevelRef
    match = query_matcher(ctx, args, {
        "updated_at": lambda r: r.item.levels[r.location_id].updated_at,
        "created_at": lambda r: r.item.created_at, "id": lambda r: r.item.id,
        "inventory_item_id": lambda r: str(r.item.id)})
    refs = [LevelRef(item, loc.id) for item in ctx.shop.items.values() if loc.id in item.levels]
    return paginate([r for r in refs if match(r)], args, key=lambda r: r.item.id)


def _location_level(loc: Location, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Location.inventoryLevel(inventoryItemId:)."""
    from ecomsend.sandbox.shopify.resolvers.inventory import LevelRef
    item = lookup(ctx.shop, args["inventoryItemId"], "InventoryItem")
    return LevelRef(item, loc.id) if item is not None and loc.id in item.levels else None


register("Location", {
    "id": lambda o, c, a: gid("Location", o.id), "legacyResourceId": lambda o, c, a: str(o.id),
    "name": attr("name"), "isActive": attr("active"), "fulfillsOnlineOrders": const(True),
    "isPrimary": lambda o, c, a: o.id == next(iter(c.shop.locations)),
    "shipsInventory": const(True), "hasActiveInventory": const(True),
    "isFulfillmentService": const(False), "activatable": const(False),
    "deactivatable": const(True), "deletable": const(False), "addressVerified": const(True),
    "deactivatedAt": const(None), "fulfillmentService": const(None),
    "hasUnfulfilledOrders": const(False), "address": _address,
    "createdAt": lambda o, c, a: iso(o.created_at), "updatedAt": lambda o, c, a: iso(o.created_at),
    "inventoryLevels": _location_levels, "inventoryLevel": _location_level,
}, Location)


def _shop_plan(shop: Shop, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """Shop.plan: a Standard (Basic) plan."""
    return {"partnerDevelopment": False, "shopifyPlus": False, "publicDisplayName": "Basic",
            "displayName": "Basic"}


register("Shop", {
    "id": lambda s, c, a: gid("Shop", s.id), "name": attr("name"),
    "myshopifyDomain": attr("domain"), "currencyCode": attr("currency"),
    "email": lambda s, c, a: f"owner@{s.domain}",
    "contactEmail": lambda s, c, a: f"owner@{s.domain}",
    "ianaTimezone": const("America/New_York"), "timezoneAbbreviation": const("EST"),
    "timezoneOffset": const("-0500"), "timezoneOffsetMinutes": const(-300),
    "weightUnit": const("KILOGRAMS"), "plan": _shop_plan,
    "url": lambda s, c, a: f"https://{s.domain}",
    "primaryDomain": lambda s, c, a: {"id": gid("Domain", s.id), "host": s.domain,
                                      "url": f"https://{s.domain}", "sslEnabled": True},
    "enabledPresentmentCurrencies": lambda s, c, a: [s.currency],
    "taxesIncluded": const(False), "setupRequired": const(False),
    "checkoutApiSupported": const(True),
    "createdAt": const("2024-01-01T00:00:00Z"), "updatedAt": const("2024-01-01T00:00:00Z"),
}, Shop)


def _checked(ctx: Ctx, obj: Any, field_name: str) -> Any:
    """`obj` if the token may read its type, else ACCESS_DENIED (scopes.check_type_access)."""
    if obj is not None:
        check_type_access(resolve_type(obj, None, None),  # type: ignore[arg-type]
                          ctx.token, field_name)
    return obj


def _locations(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.locations (active ones unless includeInactive)."""
    match = query_matcher(ctx, args, {"name": lambda o: o.name,
                                               "title": lambda o: o.name,
                                               "id": lambda o: o.id})
    locs = [loc for loc in ctx.shop.locations.values()
            if (loc.active or args.get("includeInactive")) and match(loc)]
    return paginate(locs, args)


register("QueryRoot", {
    "shop": lambda r, c, a: c.shop,
    "locations": _locations,
    "location": lambda r, c, a: (lookup(c.shop, a["id"], "Location") if a.get("id")
                                 else next(iter(c.shop.locations.values()))),
    "node": lambda r, c, a: _checked(c, lookup(c.shop, a["id"]), "node"),
    "nodes": lambda r, c, a: [_checked(c, lookup(c.shop, i), "nodes") for i in a["ids"]],
})


def _installation(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """QueryRoot.currentAppInstallation: the app and the scopes its token was granted."""
    scopes = [s.strip() for s in (ctx.token.scope if ctx.token else "").split(",") if s.strip()]
    app = {"id": gid("App", 1), "apiKey": ctx.sandbox.api_key, "title": "EcomSend Feed",
           "handle": "ecomsend-feed", "embedded": True, "developerName": "EcomSend",
           "webhookApiVersion": "2026-07",
           "requestedAccessScopes": [{"handle": s, "description": s} for s in scopes]}
    return {"id": gid("AppInstallation", ctx.shop.id), "app": app, "launchUrl": None,
            "uninstallUrl": None,
            "accessScopes": [{"handle": s, "description": s} for s in scopes]}


register("QueryRoot", {"currentAppInstallation": _installation})
