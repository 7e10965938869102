"""Keep secrets out of log lines written by libraries: the httpx request log carries full URLs
(TikTok's token endpoints take `app_secret`, `auth_code` and `refresh_token` in the query), and
uvicorn's access log keeps the query of every request (OAuth `code`, `state`, `hmac`, App
Bridge `id_token`). Installed by `configure_logging` for every process."""

from __future__ import annotations

import logging
import re

#: Query parameters whose values are credentials or one-time grants, on either platform.
SECRET_PARAMS = ("app_secret", "client_secret", "access_token", "refresh_token", "auth_code",
                 "code", "id_token", "session", "hmac", "state", "sign", "subject_token",
                 "x-tts-access-token")
_QUERY_SECRET = re.compile(
    r"(?P<key>(?:^|[?&;\s\"'])(?:" + "|".join(re.escape(p) for p in SECRET_PARAMS)
    + r"))=(?P<value>[^&\s\"';]+)", re.IGNORECASE)
#: Libraries whose INFO lines are one per HTTP request with the full URL: kept at WARNING.
CHATTY_HTTP_LOGGERS = ("httpx", "httpcore")


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced by `[redacted]`."""
    return _QUERY_SECRET.sub(lambda m: f"{m.group('key')}=[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and string arguments through `redact` (never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_redaction() -> None:
    """Quiet the per-request HTTP client loggers and redact the access log and the root
    handlers (idempotent)."""
    for name in CHATTY_HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn.access", "uvicorn.error", "httpx", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
