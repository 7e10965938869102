"""`ecomsend sandbox shopify --port P --api-key K --api-secret S`: run the Shopify sandbox.

Wired into the Typer CLI by `ecomsend.cli.sandbox`; the control API is documented in
CONTROL.md beside this file.
"""

from __future__ import annotations

import typer


def serve_shopify_sandbox(
    port: int = typer.Option(8081, help="Port to listen on."),
    api_key: str = typer.Option("ecomsend-dev-key", help="The app's API key."),
    api_secret: str = typer.Option("ecomsend-dev-secret", help="The app's API secret."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    bulk_delay_s: float = typer.Option(0.05, help="Pause between bulk operation states."),
    webhook_max_attempts: int = typer.Option(
        9, help="Delivery attempts per webhook (Shopify: the first and 8 retries)."),
    webhook_time_scale: float = typer.Option(
        1 / 128, help="Real seconds per second of Shopify's 4-hour retry schedule (1: real)."),
    search_lag_s: float = typer.Option(
        3.0, help="Seconds before a new or changed order shows in orders search (0: instant)."),
    bulk_objects_per_s: float = typer.Option(
        2000.0, help="Objects a bulk query writes per second while RUNNING (0: instant)."),
    redirect_url: list[str] = typer.Option(
        [], help="An allowed OAuth redirection URL of the app (repeat; none: accept any)."),
) -> None:
    """Run the Shopify Admin API simulator on PORT (control API: /_sandbox, see CONTROL.md)."""
    import uvicorn

    from ecomsend.sandbox.shopify.app import create_app

    app = create_app(api_key, api_secret, bulk_delay_s=bulk_delay_s,
                     webhook_max_attempts=webhook_max_attempts,
                     webhook_time_scale=webhook_time_scale, search_lag_s=search_lag_s,
                     bulk_objects_per_s=bulk_objects_per_s, redirect_urls=list(redirect_url))
    typer.echo(f"Shopify sandbox on http://{host}:{port}/store/{{shop}} "
               f"(control API http://{host}:{port}/_sandbox)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
