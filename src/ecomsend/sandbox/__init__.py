"""Faithful simulators of Shopify and TikTok Shop. They never import the app (import-linter)."""
