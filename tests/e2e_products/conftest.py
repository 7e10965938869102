"""Fixtures of the product-sync end-to-end tests (see `world.py`)."""

from __future__ import annotations

from .world import manual, world, world_pg

__all__ = ["manual", "world", "world_pg"]
