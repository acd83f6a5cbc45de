"""Hashing for secrets: passwords (argon2), visitor tokens (SHA-256) and keyed hashes (HMAC)
for the identifier index and audit receipts."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """The stored form of a visitor's conversation token. Tokens carry 256 random bits, so a
    plain SHA-256 cannot be reversed; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)


def keyed_hash(secret: str, *parts: str) -> str:
    """HMAC-SHA256 of the parts under a secret: the same input gives the same hash, and nobody
    without the secret can test a guess (an e-mail, a conversation id) against it."""
    msg = "\x1f".join(parts).encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def tenant_secret(secret_key: str, tenant_id: str) -> str:
    """A per-tenant secret derived from the server's secret key."""
    return keyed_hash(secret_key, "tenant-secret", tenant_id)
