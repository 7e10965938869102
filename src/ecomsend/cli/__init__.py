"""The `ecomsend` command: demo, serve, worker, db, sandbox."""

from __future__ import annotations

import typer

from ecomsend.cli.db import db_app
from ecomsend.cli.run import register_run_commands
from ecomsend.cli.sandbox import sandbox_app

app = typer.Typer(
    help="EcomSend Feed: keep a Shopify store and a TikTok Shop in step.",
    no_args_is_help=True,
    add_completion=False,
)
register_run_commands(app)
app.add_typer(db_app, name="db")
app.add_typer(sandbox_app, name="sandbox")
