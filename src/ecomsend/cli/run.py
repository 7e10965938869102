"""`ecomsend demo | serve | worker`: the long-running commands."""

from __future__ import annotations

import typer


def register_run_commands(app: typer.Typer) -> None:
    """Attach demo, serve and worker to the root command (called by `ecomsend.cli`)."""

    @app.command()
    def worker(
        concurrency: int = typer.Option(8, help="Jobs run at once by this process."),
    ) -> None:
        """Run background jobs (sync, reconciliation, sweeper) until stopped."""
        from ecomsend.jobs.runtime import run_worker_process

        run_worker_process(concurrency=concurrency)
