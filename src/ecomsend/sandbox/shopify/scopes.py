"""Access scopes per root field (requiredAccess in the 2026-07 introspection, reference §3.4)
and per object type (what `node`/`nodes` return and what a bulk query reaches).

`check_access` is called by `resolvers.base.resolve_field` for QueryRoot and Mutation fields;
`check_type_access` by `node`/`nodes` (resolvers.shop) for the type of each object found;
`missing_for_bulk` by bulkOperationRunQuery (the operation then FAILS with errorCode
ACCESS_DENIED, reference §6). A missing scope is Shopify's ACCESS_DENIED error (reference §2,
"missing scope").
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
    "refundCreate": ("write_orders",),
    "orderUpdate": ("write_orders",), "tagsAdd": ("write_orders", "write_products"),
    "tagsRemove": ("write_orders", "write_products"), "fulfillmentCreate": _FULFILLMENT_WRITE,
    "fulfillmentTrackingInfoUpdate": _FULFILLMENT_WRITE,
}
#: Object type -> any one of these scopes lets a token read it (same rules as the root fields
#: that return it).
TYPE_SCOPES: dict[str, tuple[str, ...]] = {
    "Product": ("read_products",), "ProductVariant": ("read_products",),
    "Collection": ("read_products",), "MediaImage": ("read_products",),
    "ProductOption": ("read_products",),
    "InventoryItem": ("read_inventory", "read_products"), "InventoryLevel": ("read_inventory",),
    "Location": ("read_locations",), "Order": ("read_orders",), "LineItem": ("read_orders",),
    "FulfillmentOrder": _FULFILLMENT_READ,
    "FulfillmentOrderLineItem": _FULFILLMENT_READ,
    "Fulfillment": ("read_fulfillments", "read_orders"),
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


def _missing(needed: tuple[str, ...] | None, token: Token | None) -> bool:
    """Whether `token` lacks every scope in `needed` (None/empty needs nothing)."""
    if token is None or not needed:
        return False
    scopes = {s.strip() for s in token.scope.split(",") if s.strip()}
    return not any(_granted(scopes, s) for s in needed)


def check_type_access(type_name: str | None, token: Token | None, field_name: str) -> None:
    """ACCESS_DENIED for `field_name` when `token` may not read objects of `type_name`."""
    needed = TYPE_SCOPES.get(type_name or "")
    if _missing(needed, token):
        required = " or ".join(f"`{s}` access scope" for s in needed or ())
        raise GraphQLError(f"Access denied for {field_name} field.",
                           extensions={"code": "ACCESS_DENIED", "documentation": ACCESS_DOCS,
                                       "requiredAccess": f"{required}."})


def missing_for_bulk(root_field: str, type_names: set[str], token: Token | None) -> bool:
    """Whether a bulk query's root field or any object type it reaches is out of scope."""
    if _missing(ROOT_SCOPES.get(root_field), token):
        return True
    return any(_missing(TYPE_SCOPES.get(t), token) for t in type_names)
