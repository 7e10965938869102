"""Encryption of platform tokens at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

Used by the DB layer's `EncryptedString` column type; callers handle plain strings only.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenCipher:
    """Encrypts and decrypts token strings; accepts several keys for rotation (first encrypts)."""

    def __init__(self, *keys: bytes) -> None:
        if not keys:
            raise ValueError("TokenCipher needs at least one key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "A stored token cannot be decrypted: the token-encryption key changed"
            ) from exc
