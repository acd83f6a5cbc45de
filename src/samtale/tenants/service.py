"""Creating and finding tenants and users. Used by the `samtale` command, the demo and the admin
pages; the checks (`check_*`) validate, the `create_*` functions write."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.clock import Clock
from samtale.kernel.errors import Conflict
from samtale.kernel.languages import LANGUAGES, normalize_language
from samtale.kernel.security import hash_password
from samtale.kernel.text import EMAIL_PATTERN
from samtale.model import Tenant, User
from samtale.model.user import ROLES, Role

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(?::\d{1,5})?$")


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=63)
    widget_key: str | None = Field(
        default=None, min_length=4, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )
    allowed_origins: list[str] = Field(default_factory=list, max_length=50)
    languages: list[str] = Field(default_factory=lambda: [str(x) for x in LANGUAGES], min_length=1)
    default_language: str = "da"
    default_country: str = Field(default="DK", pattern=r"^[A-Z]{2}$")
    time_zone: str = "Europe/Copenhagen"

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError("a slug is lowercase letters, digits and dashes")
        return v

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        out = []
        for origin in v:
            origin = origin.strip().rstrip("/")
            if not ORIGIN.match(origin):
                raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
            out.append(origin)
        return out

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for code in v:
            lang = normalize_language(code)
            if lang is None:
                raise ValueError(
                    f"unsupported language {code!r}; use one of {', '.join(LANGUAGES)}"
                )
            if lang not in out:
                out.append(lang)
        return out

    @field_validator("default_language")
    @classmethod
    def _default_language(cls, v: str) -> str:
        lang = normalize_language(v)
        if lang is None:
            raise ValueError(f"unsupported language {v!r}")
        return lang

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=10, max_length=200)
    role: Role
    display_name: str = Field(default="", max_length=100)
    languages: list[str] = Field(default_factory=list)
    capacity: int = Field(default=3, ge=1, le=50)


class ConflictError(Conflict):
    """The row would clash with an existing one (slug, widget key, e-mail)."""


async def create_tenant(session: AsyncSession, data: TenantCreate, clock: Clock) -> Tenant:
    if await session.scalar(select(Tenant.id).where(Tenant.slug == data.slug)):
        raise ConflictError(f"a tenant with slug {data.slug!r} exists")
    key = data.widget_key or secrets.token_urlsafe(18)
    if await session.scalar(select(Tenant.id).where(Tenant.widget_key == key)):
        raise ConflictError("that widget key is taken")
    tenant = Tenant(
        id=uuid.uuid4(),
        name=data.name,
        slug=data.slug,
        widget_key=key,
        allowed_origins=data.allowed_origins,
        languages=data.languages,
        default_language=data.default_language
        if data.default_language in data.languages
        else data.languages[0],
        default_country=data.default_country,
        time_zone=data.time_zone,
        retention_bot_days=90,
        retention_agent_days=None,
        active=True,
        settings={},
        created_at=clock.now(),
    )
    session.add(tenant)
    await session.flush()
    return tenant


async def tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.slug == slug))


async def tenant_by_widget_key(session: AsyncSession, key: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.widget_key == key))


async def list_tenants(session: AsyncSession) -> Sequence[Tenant]:
    return (await session.scalars(select(Tenant).order_by(Tenant.created_at, Tenant.slug))).all()


async def create_user(
    session: AsyncSession, tenant: Tenant | None, data: UserCreate, clock: Clock
) -> User:
    if data.role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if data.role == "operator" and tenant is not None:
        raise ValueError("operators belong to the platform, not to a tenant")
    if data.role != "operator" and tenant is None:
        raise ValueError(f"an {data.role} belongs to a tenant")
    email = data.email.lower()
    if await session.scalar(select(User.id).where(User.email == email)):
        raise ConflictError(f"a user with e-mail {email} exists")
    user = User(
        id=uuid.uuid4(),
        tenant_id=tenant.id if tenant else None,
        email=email,
        display_name=data.display_name or email.split("@")[0].title(),
        password_hash=hash_password(data.password),
        role=data.role,
        active=True,
        languages=[lang for code in data.languages if (lang := normalize_language(code))],
        capacity=data.capacity,
        created_at=clock.now(),
    )
    session.add(user)
    await session.flush()
    return user


async def list_users(session: AsyncSession, tenant: Tenant | None = None) -> Sequence[User]:
    query = select(User).order_by(User.email)
    if tenant is not None:
        query = query.where(User.tenant_id == tenant.id)
    return (await session.scalars(query)).all()
