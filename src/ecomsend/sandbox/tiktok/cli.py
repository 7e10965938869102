"""`ecomsend sandbox tiktok`: placeholder until the TikTok sandbox lands (issue 4)."""

from __future__ import annotations

import typer


def serve_tiktok_sandbox(
    port: int = typer.Option(8082, help="Port to listen on."),
    app_key: str = typer.Option("ecomsend-dev-app-key", help="The app's key."),
    app_secret: str = typer.Option("ecomsend-dev-app-secret", help="The app's secret."),
) -> None:
    """Run the TikTok Shop Open API simulator on PORT."""
    typer.echo("The TikTok sandbox is not built yet.", err=True)
    raise typer.Exit(2)
