"""`ecomsend sandbox …`: run a platform simulator alone on a port."""

from __future__ import annotations

import typer

from ecomsend.sandbox.shopify.cli import serve_shopify_sandbox
from ecomsend.sandbox.tiktok.cli import serve_tiktok_sandbox

sandbox_app = typer.Typer(
    help="Run a faithful simulator of Shopify's Admin API or TikTok Shop's Open API.",
    no_args_is_help=True,
)
sandbox_app.command("shopify")(serve_shopify_sandbox)
sandbox_app.command("tiktok")(serve_tiktok_sandbox)
