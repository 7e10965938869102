"""Importing this module registers every resolver (used by the executor and bulk)."""

from ecomsend.sandbox.shopify.resolvers import (  # noqa: F401  (registration side effects)
    bulk,
    collections,
    fulfillments,
    inventory,
    markets,
    order_edits,
    orders,
    product_mutations,
    products,
    refunds,
    shop,
    webhooks,
)
