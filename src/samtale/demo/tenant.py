"""The demo tenant: created idempotently by `samtale demo`, with its three logins.

Passwords are generated once, stored hashed in the database, and written to a credentials file
in the data folder that only its owner can read, so every start can print them again.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.clock import Clock
from samtale.kernel.security import hash_password, verify_password
from samtale.model import Tenant
from samtale.tenants.service import (
    TenantCreate,
    UserCreate,
    create_tenant,
    create_user,
    list_users,
    tenant_by_slug,
)

DEMO_SLUG = "demo"
DEMO_WIDGET_KEY = "demo"
DEMO_USERS = (
    ("agent@demo.local", "agent", "Sofie"),
    ("admin@demo.local", "admin", "Mads"),
    ("operator@demo.local", "operator", "Operator"),
)


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    password: str


def demo_origins(base_url: str, port: int) -> list[str]:
    origins = [base_url.rstrip("/"), f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    return list(dict.fromkeys(origins))


def _load_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _save_credentials(path: Path, creds: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(creds, f, indent=2)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


async def ensure_demo(
    session: AsyncSession, clock: Clock, data_dir: Path, origins: list[str]
) -> tuple[Tenant, list[Login]]:
    """Create the demo tenant and its users if missing; keep its origins current."""
    tenant = await tenant_by_slug(session, DEMO_SLUG)
    if tenant is None:
        tenant = await create_tenant(
            session,
            TenantCreate(
                name="Nordhjem (demo)",
                slug=DEMO_SLUG,
                widget_key=DEMO_WIDGET_KEY,
                allowed_origins=origins,
            ),
            clock,
        )
    else:
        tenant.allowed_origins = list(dict.fromkeys([*tenant.allowed_origins, *origins]))
    if "live" not in (tenant.settings or {}):
        from samtale.demo.live import DEMO_LIVE_SETTINGS

        tenant.settings = {**(tenant.settings or {}), "live": DEMO_LIVE_SETTINGS}
    if "widget" not in (tenant.settings or {}):
        from samtale.demo.widget import DEMO_WIDGET_SETTINGS

        tenant.settings = {**(tenant.settings or {}), "widget": DEMO_WIDGET_SETTINGS}
    from samtale.bot.store import ensure_builtin_content
    from samtale.demo.content_dir import DEMO_CONTENT_DIR

    await ensure_builtin_content(session, tenant.id, clock, DEMO_CONTENT_DIR)
    from samtale.demo.shop.store import ensure_demo_shop

    await ensure_demo_shop(session, tenant.id, clock)
    cred_path = data_dir / "demo-credentials.json"
    creds = _load_credentials(cred_path)
    existing = {u.email: u for u in await list_users(session)}
    logins = []
    for email, role, name in DEMO_USERS:
        password = creds.get(email) or secrets.token_urlsafe(12)
        user = existing.get(email)
        if user is None:
            await create_user(
                session,
                None if role == "operator" else tenant,
                UserCreate(
                    email=email,
                    password=password,
                    role=role,
                    display_name=name,
                    languages=["da", "en"] if role == "agent" else [],
                ),
                clock,
            )
        elif not verify_password(user.password_hash, password):
            # The credentials file was lost or edited: issue a new password and record it.
            user.password_hash = hash_password(password)
        creds[email] = password
        logins.append(Login(email, role, password))
    _save_credentials(cred_path, creds)
    await session.flush()
    return tenant, logins
