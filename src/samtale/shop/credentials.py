"""A shop's platform and carrier credentials, encrypted at rest and masked for display.

Connecting a shop stores secrets that open its orders (an Admin API token, a consumer secret,
a carrier's API key). They live in the tenant's settings only as a Fernet token (AES-128-CBC
with an HMAC-SHA256, from `cryptography`) whose key is derived from the operator's
`SAMTALE_SECRET_KEY` with HKDF-SHA256 and a purpose label, so the same secret key used for
other things (identifier hashes, sessions) never doubles as this one. A database dump without
the secret key holds nothing usable.

`seal(values)` encrypts a dict of named secrets; `unseal(token)` opens it (`CredentialsError`
for a token made under another key or tampered with — never a hint of its contents). Rotating
`SAMTALE_SECRET_KEY` works by giving the old key in `previous`: tokens made under it still open,
and `reseal` rewrites them under the new one.

`mask(value)` is what an admin page or `samtale shop check` shows: never the secret, only its
kind and last four characters (`shpat_…a1b2`), and nothing of a short one. `Secret` wraps a
value whose `repr` and `str` are masked, so it cannot leak into a log line by accident.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"samtale shop credentials v1"


class CredentialsError(Exception):
    """Credentials that cannot be opened with the current (or previous) secret key."""


def _fernet(secret_key: str) -> Fernet:
    if not secret_key:
        raise CredentialsError("no secret key")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


class Vault:
    def __init__(self, secret_key: str, previous: Iterable[str] = ()) -> None:
        self._fernet = MultiFernet([_fernet(secret_key), *(_fernet(k) for k in previous)])

    def seal(self, values: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def unseal(self, token: str) -> dict[str, str]:
        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise CredentialsError("credentials cannot be opened") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise CredentialsError("credentials cannot be opened")
        return data

    def reseal(self, token: str) -> str:
        """The same credentials under the current key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise CredentialsError("credentials cannot be opened") from None


def mask(value: str | None) -> str:
    """`shpat_0123…cdef` → `shpat_…cdef`; a secret of 12 characters or fewer → `••••`."""
    if not value:
        return ""
    if len(value) <= 12:
        return "••••"
    head, sep, _ = value.partition("_")
    kind = f"{head}_" if sep and len(head) <= 6 else ""
    return f"{kind}…{value[-4:]}"


class Secret:
    """A secret value that shows itself masked in `str`, `repr` and f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
