"""The one place that reads the environment.

Every other module receives a `Settings` instance (FastAPI dependency, CLI option or explicit
argument); nothing else calls `os.environ`.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: HS256 wants a key at least as long as its hash (RFC 7518 §3.2).
MIN_SESSION_SECRET_BYTES = 32
#: Where the embedded default keeps its SQLite file and generated key, relative to the CWD.
DEFAULT_VAR_DIR = Path("var")


class QueueBackend(StrEnum):
    """Which `JobQueue` adapter runs jobs (DESIGN.md §1)."""

    LOCAL = "local"
    PROCRASTINATE = "procrastinate"


class RateLimitBackend(StrEnum):
    """Which `RateLimiter` adapter holds the token buckets (DESIGN.md §1)."""

    MEMORY = "memory"
    POSTGRES = "postgres"


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


#: Built-in placeholders: published in this repository, so anyone could sign with them.
DEV_SHOPIFY_API_SECRET = "ecomsend-dev-secret"  # noqa: S105 (a public placeholder, refused)
DEV_TIKTOK_APP_SECRET = "ecomsend-dev-app-secret"  # noqa: S105 (a public placeholder, refused)


class Settings(BaseSettings):
    """All configuration of EcomSend Feed, from `ECOMSEND_*` variables or a `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="ECOMSEND_", env_file=".env", extra="ignore", populate_by_name=True
    )

    var_dir: Path = DEFAULT_VAR_DIR
    database_url: str = Field(
        default="",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy async URL; default is a SQLite file under var_dir.",
    )
    queue_backend: QueueBackend = QueueBackend.LOCAL
    ratelimit_backend: RateLimitBackend = RateLimitBackend.MEMORY
    log_format: str = Field(default="auto", description="console | json | auto")
    log_level: str = "INFO"

    public_base_url: str = "http://127.0.0.1:8000"
    shopify_api_key: str = "ecomsend-dev-key"
    shopify_api_secret: SecretStr = SecretStr(DEV_SHOPIFY_API_SECRET)
    shopify_api_version: str = "2026-07"
    shopify_scopes: str = (
        "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,"
        "read_fulfillments,write_fulfillments,read_merchant_managed_fulfillment_orders,"
        "write_merchant_managed_fulfillment_orders,read_locations"
    )
    #: Where a shop's Admin API lives; `{shop}` is the myshopify domain. The sandbox serves
    #: many shops on one port as `http://127.0.0.1:PORT/store/{shop}`.
    shopify_shop_url_template: str = "https://{shop}"
    #: How long after an `orderCreate` whose answer we never saw (crash, lost response) a retry
    #: keeps re-looking the order up before it may create it again: Shopify's order search
    #: "may lag a few seconds" behind writes (reference/shopify-api.md §9), plus the 30 s
    #: request timeout during which the create may still have landed.
    shopify_order_search_lag_s: float = Field(default=60.0, gt=0, le=3600)
    tiktok_app_key: str = "ecomsend-dev-app-key"
    tiktok_app_secret: SecretStr = SecretStr(DEV_TIKTOK_APP_SECRET)
    tiktok_service_id: str = "ecomsend-dev-service"
    tiktok_api_base_url: str = "https://open-api.tiktokglobalshop.com"
    tiktok_auth_base_url: str = "https://auth.tiktok-shops.com"
    tiktok_authorize_url: str = "https://services.tiktokshop.com/open/authorize"
    #: Image URL prefixes answered with a generated placeholder instead of a download: the
    #: offline demo's Shopify sandbox hands out `https://cdn.shopify.com/…` URLs nothing serves
    #: here. Empty (every image is downloaded) in production.
    placeholder_image_prefixes: list[str] = Field(default_factory=list)
    #: Hosts (`host` or `host:port`) images may be downloaded from although they resolve to a
    #: private or loopback address: the local sandboxes only. Every other image host must be
    #: public (sync.listing.image_fetch).
    image_fetch_allowed_hosts: list[str] = Field(default_factory=list)

    #: Retention (days) of what grows with traffic, pruned hourly (`sync.retention`): successful
    #: activity rows (failures stay until dealt with), webhook receipts (dedup memory: longer
    #: than Shopify's 48 h of retries) and periodic-run markers. Expired OAuth states always go.
    activity_retention_days: float = Field(default=14.0, gt=0)
    webhook_receipt_retention_days: float = Field(default=30.0, ge=3)
    periodic_run_retention_days: float = Field(default=7.0, ge=1)

    token_encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet key (urlsafe base64, 32 bytes) that encrypts tokens at rest.",
    )
    session_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.var_dir / 'ecomsend.db').as_posix()}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_scale_out(self) -> bool:
        return self.queue_backend is QueueBackend.PROCRASTINATE

    def require_real_secrets(self) -> None:
        """Refuse to serve on the built-in placeholder secrets (anyone could forge webhooks and
        session tokens with them). Called by `ecomsend serve` and `ecomsend worker`; the demo
        and the tests run with their own secrets."""
        missing = [name for name, value, placeholder in (
            ("ECOMSEND_SHOPIFY_API_SECRET", self.shopify_api_secret, DEV_SHOPIFY_API_SECRET),
            ("ECOMSEND_TIKTOK_APP_SECRET", self.tiktok_app_secret, DEV_TIKTOK_APP_SECRET),
        ) if value.get_secret_value() in ("", placeholder)]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} must be set to your app's real secret (Shopify Partner "
                "Dashboard › App › Client credentials; TikTok Shop Partner Center › App › App "
                "secret). The built-in values are public. `ecomsend keygen` prints the keys this "
                "app makes itself (token encryption, session signing).")

    def encryption_key(self) -> bytes:
        """The token-encryption key: from the environment, or generated into var_dir.

        Embedded mode (local queue) generates and keeps a key file on first use; scale-out mode
        (several processes, maybe several machines) must be given the key, or fails clearly.
        """
        if self.token_encryption_key is not None:
            return self.token_encryption_key.get_secret_value().encode()
        if self.is_scale_out:
            raise ConfigError(
                "ECOMSEND_TOKEN_ENCRYPTION_KEY is required in scale-out mode "
                "(ECOMSEND_QUEUE_BACKEND=procrastinate): every process must share one key. "
                "Generate one with `ecomsend keygen`."
            )
        return _read_or_create_secret(self.var_dir / "token.key", _new_fernet_key)

    def session_key(self) -> bytes:
        """Key that signs standalone-mode session cookies (generated like the token key)."""
        if self.session_secret is not None:
            secret = self.session_secret.get_secret_value().encode()
            if len(secret) < MIN_SESSION_SECRET_BYTES:
                raise ConfigError(f"ECOMSEND_SESSION_SECRET must be at least "
                                  f"{MIN_SESSION_SECRET_BYTES} bytes (it signs HS256 sessions).")
            return secret
        if self.is_scale_out:
            raise ConfigError("ECOMSEND_SESSION_SECRET is required in scale-out mode.")
        return _read_or_create_secret(self.var_dir / "session.key",
                                      lambda: secrets.token_urlsafe(32))


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _read_or_create_secret(path: Path, make: object) -> bytes:
    """Read a secret file, creating it (mode 0600) with `make()` the first time."""
    if path.exists():
        return path.read_text().strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()  # type: ignore[operator]
    path.write_text(str(value))
    path.chmod(0o600)
    return str(value).encode()


@lru_cache
def get_settings() -> Settings:
    """The process-wide Settings (FastAPI dependency and CLI default)."""
    return Settings()
