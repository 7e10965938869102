"""`python -m ecomsend` is the `ecomsend` command."""

from ecomsend.cli import app

app()
