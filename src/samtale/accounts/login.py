"""Checking a log-in, with limits that stop guessing without letting anyone lock others out.

Failures are counted in the rate limiter (Redis when configured, so every instance counts
together), in three ways:

- per account *and* client address: the first `PAIR_FREE_FAILURES` cost nothing, then each
  further failure blocks that pair for an exponentially growing time (`BACKOFF_BASE_SECONDS`,
  doubling, at most `BACKOFF_MAX_SECONDS`). Someone guessing an agent's password from one
  address slows only themselves; the agent, from their own address, still logs in;
- per client address, across accounts (`ADDRESS_FAILURES` per `WINDOW_SECONDS`): one address
  trying many accounts;
- per account from anywhere, only after a much higher count (`ACCOUNT_LOCK_FAILURES` per
  `ACCOUNT_WINDOW_SECONDS`): a distributed guess at one account. The result then names the
  account (`locked_account`) so that the caller records it for the shop's admins.

A refused log-in answers exactly like a wrong password until the block expires, and a wrong
e-mail costs the same argon2 time as a wrong password, so neither timing nor wording tells an
attacker which e-mails have accounts. The client address is the one `web/deps.client_ip`
believes: `X-Forwarded-For` only from proxies the operator configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.ratelimit import RateLimiter
from samtale.kernel.security import hash_password, keyed_hash, verify_password
from samtale.model import User

PAIR_FREE_FAILURES = 5  # per account and address before the backoff starts
PAIR_WINDOW_SECONDS = 60 * 60
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 15 * 60
ADDRESS_FAILURES = 20  # per client address, across accounts, per window
WINDOW_SECONDS = 15 * 60
ACCOUNT_LOCK_FAILURES = 100  # per account from every address: locked against the world
ACCOUNT_WINDOW_SECONDS = 60 * 60
_DUMMY_HASH = hash_password("samtale-dummy-password-for-equal-timing")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_for: int = 0  # seconds; > 0 when refused because of too many failures
    # The account that this failure locked against every address (once, when it happens):
    # the caller records it for the admins.
    locked_account: User | None = None


def backoff_seconds(failures: int) -> int:
    """The block after the `failures`-th failure of one account from one address."""
    over = failures - PAIR_FREE_FAILURES
    if over < 0:
        return 0
    return int(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(over, 20)))


def _keys(secret: str, email: str, address: str) -> tuple[str, str, str]:
    account = keyed_hash(secret, "login", email)[:32]
    return (
        f"login-fail:pair:{keyed_hash(secret, 'login-pair', f'{email}|{address}')[:32]}",
        f"login-fail:ip:{keyed_hash(secret, 'login-ip', address)[:32]}",
        f"login-fail:acct:{account}",
    )


async def check_login(
    session: AsyncSession,
    limiter: RateLimiter,
    secret: str,
    email: str,
    password: str,
    address: str,
) -> LoginResult:
    email = email.strip().lower()
    pair_key, address_key, account_key = _keys(secret, email, address)
    if blocked := await limiter.blocked_for(pair_key):
        return LoginResult(None, blocked)
    for key, limit, window in (
        (address_key, ADDRESS_FAILURES, WINDOW_SECONDS),
        (account_key, ACCOUNT_LOCK_FAILURES, ACCOUNT_WINDOW_SECONDS),
    ):
        decision = await limiter.peek(key, limit, window)
        if not decision.allowed:
            return LoginResult(None, decision.retry_after)
    user = await session.scalar(select(User).where(User.email == email)) if email else None
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        pair = await limiter.hit(pair_key, 1_000_000, PAIR_WINDOW_SECONDS)
        failures = 1_000_000 - pair.remaining
        if wait := backoff_seconds(failures):
            await limiter.block(pair_key, wait)
        await limiter.hit(address_key, ADDRESS_FAILURES, WINDOW_SECONDS)
        account = await limiter.hit(account_key, ACCOUNT_LOCK_FAILURES, ACCOUNT_WINDOW_SECONDS)
        just_locked = account.allowed and account.remaining == 0
        return LoginResult(None, locked_account=user if just_locked and user else None)
    await limiter.reset(pair_key)
    return LoginResult(user)
