"""The widget's configuration: what `widget.js` reads before it draws the chat button.

A shop's widget settings live in `tenant.settings["widget"]` and are validated by
`WidgetSettings` (the admin pages will edit them through the same model). Everything has a
default, so a shop with no settings gets a working widget. Invalid stored settings never break
the widget: they are logged (by tenant id) and the defaults are served instead.

The answer is public (anyone with the widget key may read it, like the script tag itself) and
holds nothing personal. The handoff adds its pre-chat fields and availability to it.
"""

from __future__ import annotations

from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Response
from pydantic import (
    BaseModel,
    Field,
)

from samtale.kernel.languages import LANGUAGES, Language
from samtale.model import Tenant
from samtale.tenants import avatar
from samtale.tenants.service import tenant_by_widget_key
from samtale.tenants.widget import (
    DEFAULT_GREETING,
    DEFAULT_SUBTITLE,
    Colors,
    Texts,
    accent_on_dark,
    accent_on_white,
    text_color_on,
    widget_settings,
)
from samtale.web.deps import ContainerDep
from samtale.web.errors import COMMON_ERRORS, ApiError
from samtale.web.visitor.handoff import HandoffConfig, handoff_config

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)


class WidgetConfig(BaseModel):
    widget_key: str
    bot_name: str
    avatar_url: str | None
    colors: Colors
    position: Literal["right", "left"]
    theme: Literal["auto", "light", "dark"] = Field(
        description="`auto` follows the visitor's system; `light` or `dark` forces one."
    )
    storage: Literal["local", "session"]
    privacy_policy_url: str | None
    languages: list[str] = Field(description="The languages the shop answers in.")
    default_language: str
    max_message_chars: int
    texts: dict[str, Texts] = Field(description="The shop's own texts, per language.")
    handoff: HandoffConfig | None = Field(
        default=None,
        description="Talking to a person: the pre-chat form's fields, availability now and the "
        "next opening time.",
    )


def avatar_url(tenant: Tenant, given: str | None) -> str | None:
    """Samtale's copy of the picture (versioned by its digest) when there is one for what the
    shop gave — an upload with no URL, or the URL it was fetched from — else the URL as given
    (a path on the Samtale server, or a URL kept from before copies were made)."""
    found = avatar.uploaded(tenant)
    if found and given in (None, avatar.source(tenant)):
        return f"/api/v1/widget/{tenant.widget_key}/avatar?v={found[1]}"
    return given


def widget_config(tenant: Tenant, max_message_chars: int) -> WidgetConfig:
    s = widget_settings(tenant)
    languages = [cast(Language, lang) for lang in tenant.languages if lang in LANGUAGES]
    languages = list(dict.fromkeys(languages)) or list(LANGUAGES)
    default = next((lang for lang in languages if lang == tenant.default_language), languages[0])
    texts = {
        lang: Texts(
            greeting=s.greeting.get(lang) or DEFAULT_GREETING[lang],
            subtitle=s.subtitle.get(lang) or DEFAULT_SUBTITLE[lang],
            starters=s.starters.get(lang, []),
            launcher=s.launcher_text.get(lang),
        )
        for lang in languages
    }
    return WidgetConfig(
        widget_key=tenant.widget_key,
        bot_name=s.bot_name or tenant.name,
        avatar_url=avatar_url(tenant, s.avatar_url),
        colors=Colors(
            primary=s.primary_color,
            on_primary=text_color_on(s.primary_color),
            accent=accent_on_white(s.primary_color),
            accent_dark=accent_on_dark(s.primary_color),
        ),
        position=s.position,
        theme=s.theme,
        storage=s.storage,
        privacy_policy_url=s.privacy_policy_url,
        languages=list(languages),
        default_language=default,
        max_message_chars=max_message_chars,
        texts=texts,
    )


@router.get(
    "/widget/{widget_key}/config",
    response_model=WidgetConfig,
    summary="The widget's configuration",
)
async def get_widget_config(
    widget_key: Annotated[str, Path(max_length=64)],
    runtime: ContainerDep,
    response: Response,
) -> WidgetConfig:
    """Everything the widget needs before it draws: the shop's texts per language, colours,
    position, bot name and avatar, languages, privacy-policy link and where the conversation
    token is kept. Public, like the widget key; cached briefly by browsers."""
    async with runtime.db.session() as session:
        tenant = await tenant_by_widget_key(session, widget_key)
    if tenant is None or not tenant.active:
        raise ApiError(404, "widget_not_found", "No shop has this widget key.")
    response.headers["Cache-Control"] = "public, max-age=60"
    config = widget_config(tenant, runtime.settings.max_message_chars)
    config.handoff = await handoff_config(runtime, tenant)
    return config


@router.get(
    "/widget/{widget_key}/avatar",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The bot's picture."}},
    summary="The bot's uploaded picture",
)
async def get_avatar(
    widget_key: Annotated[str, Path(max_length=64)], runtime: ContainerDep
) -> Response:
    """The picture the shop uploaded for its bot: a small PNG written by Samtale itself (never
    the uploaded bytes), served from Samtale's origin so that it shows under a strict page
    policy."""
    async with runtime.db.session() as session:
        tenant = await tenant_by_widget_key(session, widget_key)
    found = avatar.uploaded(tenant) if tenant is not None and tenant.active else None
    if found is None:
        raise ApiError(404, "avatar_not_found", "This shop has no uploaded picture.")
    return Response(
        found[0],
        media_type="image/png",
        headers={
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
