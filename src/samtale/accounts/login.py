"""Checking a log-in, with lockout after repeated failures per account and per client address.

Failures are counted in the rate limiter (Redis when configured, so every instance counts
together). A locked account answers exactly like a wrong password until the lock expires, and a
wrong e-mail costs the same argon2 time as a wrong password, so neither timing nor wording tells
an attacker which e-mails have accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.ratelimit import RateLimiter
from samtale.kernel.security import hash_password, keyed_hash, verify_password
from samtale.model import User

ACCOUNT_FAILURES = 5  # per account per window
ADDRESS_FAILURES = 20  # per client address per window
WINDOW_SECONDS = 15 * 60
_DUMMY_HASH = hash_password("samtale-dummy-password-for-equal-timing")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_for: int = 0  # seconds; > 0 when refused because of too many failures


async def check_login(
    session: AsyncSession,
    limiter: RateLimiter,
    secret: str,
    email: str,
    password: str,
    address: str,
) -> LoginResult:
    email = email.strip().lower()
    account_key = f"login-fail:acct:{keyed_hash(secret, 'login', email)[:32]}"
    address_key = f"login-fail:ip:{keyed_hash(secret, 'login-ip', address)[:32]}"
    for key, limit in ((account_key, ACCOUNT_FAILURES), (address_key, ADDRESS_FAILURES)):
        decision = await limiter.peek(key, limit, WINDOW_SECONDS)
        if not decision.allowed:
            return LoginResult(None, decision.retry_after)
    user = await session.scalar(select(User).where(User.email == email)) if email else None
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        await limiter.hit(account_key, ACCOUNT_FAILURES, WINDOW_SECONDS)
        await limiter.hit(address_key, ADDRESS_FAILURES, WINDOW_SECONDS)
        return LoginResult(None)
    await limiter.reset(account_key)
    return LoginResult(user)
