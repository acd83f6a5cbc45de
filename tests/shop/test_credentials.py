"""Credentials encrypted at rest under a key derived from SAMTALE_SECRET_KEY, opened only with
that key (or a previous one while rotating), and masked whenever shown."""

from __future__ import annotations

import pytest

from samtale.shop.credentials import CredentialsError, Secret, Vault, mask

CREDS = {"token": "shpat_0123456789abcdef0123456789abcdef", "client_secret": "s3cr3t-value-xyz"}


def test_sealed_credentials_hold_no_secret_and_open_with_the_key() -> None:
    vault = Vault("operator-secret-key")
    token = vault.seal(CREDS)
    assert "shpat" not in token and "0123456789abcdef" not in token and "s3cr3t" not in token
    assert vault.unseal(token) == CREDS
    assert vault.seal(CREDS) != token  # a fresh IV every time


def test_another_key_or_a_tampered_token_opens_nothing() -> None:
    token = Vault("operator-secret-key").seal(CREDS)
    with pytest.raises(CredentialsError) as caught:
        Vault("another-key").unseal(token)
    assert "shpat" not in str(caught.value)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(CredentialsError):
        Vault("operator-secret-key").unseal(tampered)
    with pytest.raises(CredentialsError):
        Vault("")


def test_rotation_keeps_old_tokens_open_and_reseals_them() -> None:
    old = Vault("old-key").seal(CREDS)
    rotating = Vault("new-key", previous=["old-key"])
    assert rotating.unseal(old) == CREDS
    new = rotating.reseal(old)
    assert Vault("new-key").unseal(new) == CREDS
    with pytest.raises(CredentialsError):
        Vault("old-key").unseal(new)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("shpat_0123456789abcdef0123456789abcdef", "shpat_…cdef"),
        ("ck_1234567890abcdef1234", "ck_…1234"),
        ("a-long-api-key-without-kind-9f8e", "…9f8e"),
        ("short-key", "••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(value: str | None, shown: str) -> None:
    assert mask(value) == shown


def test_a_secret_never_prints_itself() -> None:
    secret = Secret(CREDS["token"])
    assert CREDS["token"] not in f"{secret} {secret!r} {[secret]}"
    assert secret.reveal() == CREDS["token"]
    assert secret == Secret(CREDS["token"])
