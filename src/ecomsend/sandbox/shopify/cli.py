"""`ecomsend sandbox shopify`: placeholder until the Shopify sandbox lands (issue 3)."""

from __future__ import annotations

import typer


def serve_shopify_sandbox(
    port: int = typer.Option(8081, help="Port to listen on."),
    api_key: str = typer.Option("ecomsend-dev-key", help="The app's API key."),
    api_secret: str = typer.Option("ecomsend-dev-secret", help="The app's API secret."),
) -> None:
    """Run the Shopify Admin API simulator on PORT."""
    typer.echo("The Shopify sandbox is not built yet.", err=True)
    raise typer.Exit(2)
