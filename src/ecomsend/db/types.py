"""Column types shared by all models: portable IDs, UTC timestamps and encrypted tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ecomsend.crypto import TokenCipher

#: BIGINT on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _CipherHolder:
    """The process's token cipher, set once by `Database` from Settings (not tenant state)."""

    cipher: TokenCipher | None = None


def configure_token_cipher(cipher: TokenCipher) -> None:
    """Install the cipher `EncryptedString` uses; called by `Database.__init__`."""
    _CipherHolder.cipher = cipher


def _cipher() -> TokenCipher:
    if _CipherHolder.cipher is None:
        raise RuntimeError("token cipher not configured: create a Database first")
    return _CipherHolder.cipher


class EncryptedString(TypeDecorator[str]):
    """A string stored encrypted (Fernet); the model attribute holds the plain text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _cipher().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else _cipher().decrypt(str(value))


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the only clock the models use)."""
    return datetime.now(UTC)
