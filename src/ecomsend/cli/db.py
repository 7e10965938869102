"""`ecomsend db …`: schema migrations."""

from __future__ import annotations

import typer

from ecomsend.config import get_settings

db_app = typer.Typer(help="Database schema: apply migrations (SQLite or PostgreSQL).",
                     no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to reach.")) -> None:
    """Apply the migrations to DATABASE_URL (default: the SQLite file under ./var/); on
    PostgreSQL also install procrastinate's job schema."""
    from ecomsend.db.migrate import upgrade as run_upgrade

    settings = get_settings()
    run_upgrade(settings, revision)
    typer.echo(f"database at {revision}: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
