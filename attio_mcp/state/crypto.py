"""Encryption at rest for the state store: AES-256-GCM under a key derived from ATTIO_MCP_STATE_KEY.

The 256-bit key comes from the configured secret through HKDF-SHA-256, so any long random string works as
the setting. Every value gets a fresh random 96-bit nonce, and the value's key name is the associated
data: a value copied to another key (say a refresh token's record moved under an access token's key) does
not decrypt there, and neither does a value with one bit changed.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MIN_SECRET_LENGTH", "Sealer", "StateDecryptError"]

MIN_SECRET_LENGTH = 16  # characters of ATTIO_MCP_STATE_KEY; a 32-byte token_urlsafe gives 43
_VERSION = b"\x01"  # first byte of every sealed value, so the format can change later
_NONCE_BYTES = 12
_SALT = b"attio-mcp state store"
_INFO = b"attio-mcp state store v1 aes-256-gcm"


class StateDecryptError(ValueError):
    """A stored value failed authentication: tampered, moved from another key, or sealed under another key."""


class Sealer:
    """Seals and opens values with AES-256-GCM; the key name is bound in as associated data."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the state key must be at least {MIN_SECRET_LENGTH} characters long")
        key = HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret.encode("utf-8"))
        self._aead = AESGCM(key)

    def seal(self, name: str, plaintext: bytes) -> bytes:
        """``version || nonce || ciphertext-with-tag`` for the value stored under ``name``."""
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, name.encode("utf-8"))

    def open(self, name: str, sealed: bytes) -> bytes:
        """The plaintext of a value read from ``name``; ``StateDecryptError`` if it does not authenticate."""
        if len(sealed) < 1 + _NONCE_BYTES + 16 or sealed[:1] != _VERSION:
            raise StateDecryptError(f"the stored value under {name!r} is not a sealed value")
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, name.encode("utf-8"))
        except InvalidTag:
            raise StateDecryptError(
                f"the stored value under {name!r} does not decrypt: altered, moved from another key, "
                "or sealed under a different ATTIO_MCP_STATE_KEY"
            ) from None
