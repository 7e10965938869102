"""`ecomsend demo | serve | worker`: the long-running commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ecomsend.config import Settings


def register_run_commands(app: typer.Typer) -> None:
    """Attach demo, serve and worker to the root command (called by `ecomsend.cli`)."""

    @app.command()
    def demo(
        headless: bool = typer.Option(False, help="No progress bars; run to completion."),
        products: int = typer.Option(50, help="Products to seed in the sandbox store."),
        report: Path | None = typer.Option(None, help="Write the run's JSON report here."),
        serve: bool | None = typer.Option(
            None, "--serve/--no-serve",
            help="Keep the servers running after the flow and print a sign-in link to the "
                 "admin UI, until Ctrl-C/SIGTERM (default: on in a terminal, off headless)."),
        region: str = typer.Option(
            "US", help="TikTok Shop region: US, UK (GB), FR, DE, IT, ES, IE, JP or MX."),
    ) -> None:
        """Run the whole flow on local sandboxes (embedded default): seed a Shopify store,
        install and connect through the real OAuth flows, import the catalog, sync; then serve
        the admin UI for the demo shop."""
        from ecomsend.demo.run import run_demo
        from ecomsend.regions import UnknownRegion, region_code

        try:
            region = region_code(region)
        except UnknownRegion as exc:
            raise typer.BadParameter(str(exc), param_hint="--region") from None
        raise typer.Exit(run_demo(headless=headless, products=products, report=report,
                                  serve=serve, region=region))

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind."),
        port: int = typer.Option(8000, help="Port to listen on."),
        migrate: bool = typer.Option(True, help="Apply database migrations first."),
    ) -> None:
        """Run the web app (OAuth, webhooks, JSON API, admin UI); in the embedded default it
        also runs the job worker in the same process."""
        import uvicorn

        from ecomsend.config import get_settings
        from ecomsend.logging import configure_logging
        from ecomsend.serving import uvicorn_options
        from ecomsend.web.app import create_app

        settings = get_settings()
        configure_logging(settings)
        _require_real_secrets(settings)
        if migrate:
            from ecomsend.db.migrate import upgrade

            upgrade(settings)
        uvicorn.run(create_app(settings), host=host, port=port,
                    **uvicorn_options(settings.log_level))

    @app.command()
    def worker(
        concurrency: int = typer.Option(8, help="Jobs run at once by this process."),
        only: str | None = typer.Option(
            None, help="Scale-out: run one queue only, `default` or `bulk` (big listings; "
                       "the process lowers its CPU priority so other shops' updates come "
                       "first)."),
    ) -> None:
        """Run background jobs (sync, reconciliation, sweeper) until SIGTERM; start any number
        of them in scale-out mode (ECOMSEND_QUEUE_BACKEND=procrastinate)."""
        from ecomsend.config import QueueBackend, get_settings
        from ecomsend.jobs.runtime import run_worker_process

        settings = get_settings()
        _require_real_secrets(settings)
        if only is not None:  # checked before the process starts (and lowers its priority)
            from ecomsend.jobs.procrastinate_queue import WORKER_QUEUES

            if only not in WORKER_QUEUES:
                raise typer.BadParameter(f"--only is one of: {', '.join(WORKER_QUEUES)}")
            if settings.queue_backend is not QueueBackend.PROCRASTINATE:
                raise typer.BadParameter("--only needs scale-out mode "
                                         "(ECOMSEND_QUEUE_BACKEND=procrastinate)")
        run_worker_process(concurrency=concurrency, settings=settings, only=only)

    @app.command()
    def keygen() -> None:
        """Print new keys for the secrets this app makes itself (token encryption at rest and
        session signing), as environment lines to put in your deployment's configuration."""
        import secrets

        from cryptography.fernet import Fernet

        typer.echo(f"ECOMSEND_TOKEN_ENCRYPTION_KEY={Fernet.generate_key().decode()}")
        typer.echo(f"ECOMSEND_SESSION_SECRET={secrets.token_urlsafe(48)}")


def _require_real_secrets(settings: Settings) -> None:
    """Exit with the configuration error's message (no traceback) on placeholder secrets."""
    from ecomsend.config import ConfigError

    try:
        settings.require_real_secrets()
    except ConfigError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from exc
