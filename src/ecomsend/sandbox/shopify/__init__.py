"""A simulator of the shopify platform over real HTTP (an independent reading of its docs)."""
