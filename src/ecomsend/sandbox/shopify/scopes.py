"""Access scopes per root field (requiredAccess in the 2026-07 introspection, reference §3.4).

`check_access` is called by `resolvers.base.resolve_field` for QueryRoot and Mutation fields;
a missing scope is Shopify's ACCESS_DENIED error (reference §2, "missing scope").
"""

from __future__ import annotations

from graphql import GraphQLError

from ecomsend.sandbox.shopify.store import Token

ACCESS_DOCS = "https://shopify.dev/api/usage/access-scopes"
_FULFILLMENT_WRITE = ("write_assigned_fulfillment_orders",
                      "write_merchant_managed_fulfillment_orders",
                      "write_third_party_fulfillment_orders")
_FULFILLMENT_READ = tuple(s.replace("write_", "read_") for s in _FULFILLMENT_WRITE)
#: Root field -> any one of these scopes grants access (write_x implies read_x).
ROOT_SCOPES: dict[str, tuple[str, ...]] = {
    "products": ("read_products",), "product": ("read_products",),
    "productByHandle": ("read_products",), "productByIdentifier": ("read_products",),
    "productVariants": ("read_products",), "productVariant": ("read_products",),
    "productsCount": ("read_products",), "productVariantsCount": ("read_products",),
    "collections": ("read_products",), "collection": ("read_products",),
    "collectionByHandle": ("read_products",),
    "inventoryItem": ("read_inventory", "read_products"),
    "inventoryItems": ("read_inventory", "read_products"),
    "inventoryLevel": ("read_inventory",), "locations": ("read_locations",),
    "location": ("read_locations",), "orders": ("read_orders",), "order": ("read_orders",),
    "ordersCount": ("read_orders",), "fulfillmentOrder": _FULFILLMENT_READ,
    "fulfillment": ("read_fulfillments", "read_orders"),
    "productSet": ("write_products",), "productCreate": ("write_products",),
    "productUpdate": ("write_products",), "productDelete": ("write_products",),
    "inventorySetQuantities": ("write_inventory",),
    "inventoryAdjustQuantities": ("write_inventory",),
    "inventoryActivate": ("write_inventory",), "orderMarkAsPaid": ("write_orders",),
    "orderCreate": ("write_orders",), "orderCancel": ("write_orders",),
    "orderUpdate": ("write_orders",), "tagsAdd": ("write_orders", "write_products"),
    "tagsRemove": ("write_orders", "write_products"), "fulfillmentCreate": _FULFILLMENT_WRITE,
    "fulfillmentTrackingInfoUpdate": _FULFILLMENT_WRITE,
}
#: Mutations only offline tokens may call (requiredAccess of orderCreate).
OFFLINE_ONLY = frozenset({"orderCreate"})


def _granted(scopes: set[str], wanted: str) -> bool:
    """A scope is granted directly or by its write_ counterpart."""
    return wanted in scopes or (wanted.startswith("read_")
                                and "write_" + wanted[len("read_"):] in scopes)


def check_access(field_name: str, token: Token | None) -> None:
    """Raise ACCESS_DENIED when `token` lacks the scope (or token kind) `field_name` needs."""
    if token is None:
        return
    if field_name in OFFLINE_ONLY and token.online:
        raise GraphQLError(f"Access denied for {field_name} field. This mutation is only "
                           "accessible to apps authenticated using offline tokens.",
                           extensions={"code": "ACCESS_DENIED", "documentation": ACCESS_DOCS})
    needed = ROOT_SCOPES.get(field_name)
    if not needed:
        return
    scopes = {s.strip() for s in token.scope.split(",") if s.strip()}
    if not any(_granted(scopes, s) for s in needed):
        required = " or ".join(f"`{s}` access scope" for s in needed)
        raise GraphQLError(f"Access denied for {field_name} field.",
                           extensions={"code": "ACCESS_DENIED", "documentation": ACCESS_DOCS,
                                       "requiredAccess": f"{required}."})
