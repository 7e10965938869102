"""`ecomsend sandbox tiktok`: run the TikTok Shop Open API sandbox on a port with uvicorn."""

from __future__ import annotations

import typer
import uvicorn


def serve_tiktok_sandbox(
    port: int = typer.Option(8082, help="Port to listen on."),
    app_key: str = typer.Option("ecomsend-dev-app-key", help="The app's key."),
    app_secret: str = typer.Option("ecomsend-dev-app-secret", help="The app's secret."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    redirect_uri: str = typer.Option("", help="Where the consent page redirects (code, state)."),
    service_id: str = typer.Option("", help="Service id the consent page expects (empty: any)."),
    webhook_url: str = typer.Option("", help="App-level webhook URL."),
    rate_limit_qps: int = typer.Option(
        50, help="Requests per second per API per shop (sliding one-second window)."),
) -> None:
    """Run the TikTok Shop Open API simulator on PORT (control API under /_sandbox/)."""
    from ecomsend.sandbox.tiktok.app import create_app

    app = create_app(app_key, app_secret, redirect_uri=redirect_uri or None,
                     service_id=service_id or None, webhook_url=webhook_url or None,
                     rate_limit_qps=rate_limit_qps)
    typer.echo(f"TikTok sandbox on http://{host}:{port} (control API: /_sandbox/)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
