"""Staff log-in: the form without JavaScript, CSRF, lockout, session expiry, log-out."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from samtale.kernel.clock import ManualClock
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from tests.conftest import new_tenant

PASSWORD = "correct horse battery"


@pytest.fixture
async def setup(make_runtime, database_url: str):
    clock = ManualClock()
    rt = await make_runtime(database_url, clock=clock)
    tenant = await new_tenant(rt.db, clock)
    email = f"agent-{tenant.slug}@shop.example"
    async with rt.db.transaction() as s:
        user = await create_user(
            s, tenant, UserCreate(email=email, password=PASSWORD, role="agent"), clock
        )
    app = create_app(rt, manage_runtime=False)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://localhost", timeout=10
    )
    yield rt, clock, client, email, user
    await client.aclose()


async def login(
    client: httpx.AsyncClient, email: str, password: str, next_path: str = ""
) -> httpx.Response:
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf": csrf, "next": next_path}
    )


async def test_login_page_works_without_javascript(setup) -> None:
    _rt, _clock, client, _email, _user = setup
    r = await client.get("/login", headers={"accept-language": "da-DK,da;q=0.9"})
    assert r.status_code == 200 and '<form method="post" action="/login"' in r.text
    assert "Adgangskode" in r.text and "<script" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    r = await client.get("/login", headers={"accept-language": "en"})
    assert "Password" in r.text


async def test_successful_login_sets_a_secure_session_and_redirects(setup) -> None:
    _rt, _clock, client, email, _user = setup
    r = await login(client, email.upper(), PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/console"
    cookie = r.headers["set-cookie"]
    assert (
        "samtale_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie
        and "Secure" in cookie
    )
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["role"] == "agent" and me.json()["email"] == email


async def test_next_is_followed_only_on_this_site(setup) -> None:
    _rt, _clock, client, email, _user = setup
    r = await login(client, email, PASSWORD, next_path="//evil.example/x")
    assert r.headers["location"] == "/console"
    await client.post(
        "/logout", data={"csrf": (await client.get("/api/v1/me")).json()["csrf_token"]}
    )
    r = await login(client, email, PASSWORD, next_path="/console?tab=queue")
    assert r.headers["location"] == "/console?tab=queue"


async def test_wrong_password_and_login_csrf(setup) -> None:
    _rt, _clock, client, email, _user = setup
    r = await login(client, email, "wrong password")
    assert r.status_code == 401 and (
        "Wrong e-mail or password" in r.text or "Forkert e-mail" in r.text
    )
    r = await login(client, "nobody@shop.example", PASSWORD)
    assert r.status_code == 401
    # Without the form's token (a cross-site post) nothing happens.
    fresh = httpx.AsyncClient(transport=client._transport, base_url="https://localhost")
    r = await fresh.post("/login", data={"email": email, "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 400 and "samtale_session" not in r.headers.get("set-cookie", "")
    await fresh.aclose()


async def test_lockout_per_account(setup) -> None:
    _rt, clock, client, email, _user = setup
    for _ in range(5):
        assert (await login(client, email, "nope")).status_code == 401
    r = await login(client, email, PASSWORD)
    assert r.status_code == 429 and "samtale_session" not in r.headers.get("set-cookie", "")
    clock.advance(minutes=16)
    assert (await login(client, email, PASSWORD)).status_code == 303


async def test_lockout_per_address_across_accounts(setup) -> None:
    from samtale.accounts.login import ADDRESS_FAILURES, PAIR_FREE_FAILURES

    _rt, clock, client, email, _user = setup
    # One address guessing many accounts, each below its own limit, is stopped as a whole.
    guesses = [f"someone{i}@shop.example" for i in range(ADDRESS_FAILURES)]
    assert PAIR_FREE_FAILURES > 1 and ADDRESS_FAILURES > PAIR_FREE_FAILURES
    for guess in guesses:
        assert (await login(client, guess, "nope")).status_code == 401
    r = await login(client, email, PASSWORD)
    assert r.status_code == 429 and "samtale_session" not in r.headers.get("set-cookie", "")
    clock.advance(minutes=16)
    assert (await login(client, email, PASSWORD)).status_code == 303


async def test_sessions_expire_and_logout_ends_them(setup) -> None:
    _rt, clock, client, email, _user = setup
    await login(client, email, PASSWORD)
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(timedelta(hours=1, minutes=50))
    assert (await client.get("/api/v1/me")).status_code == 200  # active use slides the idle timeout
    clock.advance(timedelta(hours=2, minutes=1))
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    await login(client, email, PASSWORD)
    for _ in range(13):
        clock.advance(timedelta(minutes=59))
        await client.get("/api/v1/me")
    assert (await client.get("/api/v1/me")).status_code == 401  # 12 hours at most
    await login(client, email, PASSWORD)
    csrf = (await client.get("/api/v1/me")).json()["csrf_token"]
    r = await client.post("/logout", data={"csrf": csrf})
    assert r.status_code == 303 and (await client.get("/api/v1/me")).status_code == 401


async def test_deactivated_users_are_logged_out(setup) -> None:
    rt, _clock, client, email, user = setup
    await login(client, email, PASSWORD)
    async with rt.db.transaction() as s:
        from samtale.model import User

        row = await s.get(User, user.id)
        assert row is not None
        row.active = False
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await login(client, email, PASSWORD)).status_code == 401


async def test_role_dependencies(setup) -> None:
    from fastapi import APIRouter

    from samtale.web.staff.session import api_roles

    _rt, _clock, client, email, _user = setup
    router = APIRouter()

    @router.get("/api/v1/test-admin-only", dependencies=[api_roles("admin")])
    async def admin_only() -> dict[str, bool]:
        return {"ok": True}

    @router.get("/api/v1/test-agent-ok", dependencies=[api_roles("agent", "admin")])
    async def agent_ok() -> dict[str, bool]:
        return {"ok": True}

    app = client._transport.app  # type: ignore[attr-defined]
    app.include_router(router)
    assert (await client.get("/api/v1/test-agent-ok")).status_code == 401
    await login(client, email, PASSWORD)
    assert (await client.get("/api/v1/test-agent-ok")).json() == {"ok": True}
    r = await client.get("/api/v1/test-admin-only")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


async def test_guessing_from_one_address_does_not_lock_the_agent_out(setup) -> None:
    """Wrong passwords from an attacker's address slow only that address (with a growing
    wait); the agent logs in from their own address meanwhile."""
    from samtale.accounts.login import BACKOFF_BASE_SECONDS, PAIR_FREE_FAILURES, backoff_seconds

    rt, clock, client, email, _user = setup
    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(
            app=create_app(rt, manage_runtime=False), client=("203.0.113.9", 5000)
        ),
        base_url="https://localhost",
    )
    for _ in range(PAIR_FREE_FAILURES):
        assert (await login(attacker, email, "nope")).status_code == 401
    assert (await login(attacker, email, PASSWORD)).status_code == 429
    assert (await login(client, email, PASSWORD)).status_code == 303  # the agent's own address
    clock.advance(seconds=BACKOFF_BASE_SECONDS + 1)
    assert (await login(attacker, email, "nope")).status_code == 401  # one more try, then longer
    assert (await login(attacker, email, PASSWORD)).status_code == 429
    clock.advance(seconds=BACKOFF_BASE_SECONDS + 1)
    assert (await login(attacker, email, PASSWORD)).status_code == 429  # the wait doubled
    assert backoff_seconds(PAIR_FREE_FAILURES + 1) == 2 * BACKOFF_BASE_SECONDS
    assert backoff_seconds(PAIR_FREE_FAILURES + 30) == 15 * 60
    await attacker.aclose()


async def test_forwarded_for_is_ignored_unless_the_proxy_is_configured(setup) -> None:
    """The default trusts no proxy: rotating X-Forwarded-For does not escape the address limit."""
    from samtale.accounts.login import PAIR_FREE_FAILURES

    _rt, _clock, client, email, _user = setup
    for i in range(PAIR_FREE_FAILURES):
        page = await client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = await client.post(
            "/login",
            data={"email": email, "password": "nope", "csrf": csrf},
            headers={"x-forwarded-for": f"198.51.100.{i}"},
        )
        assert r.status_code == 401
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": csrf},
        headers={"x-forwarded-for": "198.51.100.200"},
    )
    assert r.status_code == 429


async def test_account_locked_for_everyone_only_after_many_failures_and_audited(
    make_runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from samtale.accounts import login as login_module
    from samtale.accounts.login import check_login
    from samtale.model import AuditEntry

    # Far above the per-address limits (100 by default); fewer here to keep argon2 time short.
    assert login_module.ACCOUNT_LOCK_FAILURES >= 10 * login_module.PAIR_FREE_FAILURES
    ACCOUNT_LOCK_FAILURES = 12
    monkeypatch.setattr(login_module, "ACCOUNT_LOCK_FAILURES", ACCOUNT_LOCK_FAILURES)

    clock = ManualClock()
    rt = await make_runtime(database_url, clock=clock)
    tenant = await new_tenant(rt.db, clock)
    email = f"agent-{tenant.slug}@shop.example"
    async with rt.db.transaction() as s:
        await create_user(
            s, tenant, UserCreate(email=email, password=PASSWORD, role="agent"), clock
        )
    secret = rt.settings.effective_secret_key
    locked = []
    async with rt.db.session() as s:
        # A distributed guess: every address below its own limits.
        for i in range(ACCOUNT_LOCK_FAILURES):
            result = await check_login(s, rt.limiter, secret, email, "nope", f"10.1.{i // 4}.{i}")
            assert result.user is None and result.locked_for == 0
            if result.locked_account is not None:
                locked.append(i)
        assert locked == [ACCOUNT_LOCK_FAILURES - 1]
        result = await check_login(s, rt.limiter, secret, email, PASSWORD, "192.0.2.77")
        assert result.user is None and result.locked_for > 0
    # Through the form: the lock is recorded for the shop's admins.
    app = create_app(rt, manage_runtime=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://localhost"
    ) as client:
        email2 = f"admin-{tenant.slug}@shop.example"
        async with rt.db.transaction() as s:
            await create_user(
                s, tenant, UserCreate(email=email2, password=PASSWORD, role="admin"), clock
            )
        for i in range(ACCOUNT_LOCK_FAILURES - 1):
            async with rt.db.session() as s:
                await check_login(s, rt.limiter, secret, email2, "nope", f"10.2.{i // 4}.{i}")
        assert (await login(client, email2, "nope")).status_code == 401
        assert (await login(client, email2, PASSWORD)).status_code == 429
    async with rt.db.session() as s:
        entries = (
            await s.scalars(
                select(AuditEntry).where(
                    AuditEntry.tenant_id == tenant.id, AuditEntry.action == "user.login_locked"
                )
            )
        ).all()
    assert len(entries) == 1 and entries[0].actor == "system:login"
