"""A simulator of the tiktok platform over real HTTP (an independent reading of its docs)."""

from ecomsend.sandbox.tiktok.app import create_app

__all__ = ["create_app"]
