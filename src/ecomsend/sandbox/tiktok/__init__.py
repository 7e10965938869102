"""A simulator of the tiktok platform over real HTTP (an independent reading of its docs)."""
