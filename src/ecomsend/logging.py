"""structlog setup: readable in a terminal (demo), JSON lines in scale-out."""

from __future__ import annotations

import logging
import sys

import structlog

from ecomsend.config import Settings
from ecomsend.log_redaction import install_redaction


def configure_logging(settings: Settings) -> None:
    """Configure structlog and stdlib logging once per process (CLI entry points call it)."""
    fmt = settings.log_format
    if fmt == "auto":
        fmt = "json" if settings.is_scale_out or not sys.stderr.isatty() else "console"
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    )
    level = logging.getLevelName(settings.log_level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    install_redaction()
