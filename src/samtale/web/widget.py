"""The widget's configuration: what `widget.js` reads before it draws the chat button.

A shop's widget settings live in `tenant.settings["widget"]` and are validated by
`WidgetSettings` (the admin pages will edit them through the same model). Everything has a
default, so a shop with no settings gets a working widget. Invalid stored settings never break
the widget: they are logged (by tenant id) and the defaults are served instead.

The answer is public (anyone with the widget key may read it, like the script tag itself) and
holds nothing personal. The handoff adds its pre-chat fields and availability to it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from samtale.languages import LANGUAGES, Language
from samtale.logs import get_logger
from samtale.model import Tenant
from samtale.tenants.service import tenant_by_widget_key
from samtale.web.console_visitor import HandoffConfig, handoff_config
from samtale.web.deps import RuntimeDep
from samtale.web.errors import COMMON_ERRORS, ApiError

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)
log = get_logger(__name__)

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f4f82"
UNSAFE_URL_CHARS = re.compile(r"[\s<>\"'\\`]")

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]

DEFAULT_GREETING: dict[str, str] = {
    "da": "Hej! Hvad kan vi hjælpe dig med i dag?",
    "sv": "Hej! Vad kan vi hjälpa dig med i dag?",
    "nb": "Hei! Hva kan vi hjelpe deg med i dag?",
    "fi": "Hei! Miten voimme auttaa tänään?",
    "en": "Hi! How can we help you today?",
}
DEFAULT_SUBTITLE: dict[str, str] = {
    "da": "Chatbot · du kan altid tale med en person",
    "sv": "Chattbot · du kan alltid prata med en person",
    "nb": "Chatbot · du kan alltid snakke med en person",
    "fi": "Chattibotti · voit aina jutella ihmisen kanssa",
    "en": "Chatbot · you can always talk to a person",
}


def _url(value: str | None, *, allow_path: bool) -> str | None:
    """http(s) URLs only (or, where a page of the shop is meant, a path on the shop's site)."""
    if value is None:
        return None
    value = value.strip()
    absolute = value.startswith(("https://", "http://"))
    path = allow_path and value.startswith("/") and not value.startswith("//")
    if (absolute or path) and not UNSAFE_URL_CHARS.search(value):
        return value
    raise ValueError("an http(s) URL" + (" or a path starting with /" if allow_path else ""))


class StarterButton(BaseModel):
    """A quick reply shown under the greeting, before the customer has written anything."""

    model_config = ConfigDict(extra="forbid")

    label: ShortText
    text: LongText | None = None
    intent: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,63}$")


class WidgetSettings(BaseModel):
    """A shop's widget settings, as stored in `tenant.settings["widget"]`."""

    # Keys this model does not know yet (added by later features) are kept out, not rejected.
    model_config = ConfigDict(extra="ignore")

    bot_name: ShortText | None = Field(
        default=None, description="Shown in the window's header; the shop's name when unset."
    )
    avatar_url: str | None = Field(
        default=None,
        max_length=500,
        description="The bot's picture: an http(s) URL, or a path on the Samtale server; the "
        "bot name's first letter when unset.",
    )
    primary_color: str = Field(default=DEFAULT_PRIMARY, description="`#rrggbb`")
    position: Literal["right", "left"] = "right"
    storage: Literal["local", "session"] = Field(
        default="local",
        description="`local`: the conversation resumes across visits until it expires; "
        "`session`: only within the browser tab.",
    )
    privacy_policy_url: str | None = Field(
        default=None,
        max_length=500,
        description="The shop's privacy policy: an http(s) URL, or a path on the shop's site.",
    )
    greeting: dict[Language, LongText] = Field(default_factory=dict)
    subtitle: dict[Language, ShortText] = Field(default_factory=dict)
    starters: dict[Language, list[StarterButton]] = Field(default_factory=dict)

    @field_validator("primary_color")
    @classmethod
    def _color(cls, v: str) -> str:
        if not HEX_COLOR.match(v):
            raise ValueError("a colour is #rrggbb")
        return v.lower()

    @field_validator("avatar_url")
    @classmethod
    def _avatar(cls, v: str | None) -> str | None:
        return _url(v, allow_path=True)

    @field_validator("privacy_policy_url")
    @classmethod
    def _privacy(cls, v: str | None) -> str | None:
        return _url(v, allow_path=True)

    @field_validator("starters")
    @classmethod
    def _starters(cls, v: dict[str, list[StarterButton]]) -> dict[str, list[StarterButton]]:
        if any(len(buttons) > 6 for buttons in v.values()):
            raise ValueError("at most 6 starter buttons per language")
        return v


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(background: str) -> str:
    """White or near-black, whichever reads better on `background`; pure black where near-black
    falls short of WCAG AA (4.5:1), which one of white and black always reaches."""
    for candidates in (("#ffffff", "#111418"), ("#ffffff", "#000000")):
        best = max(candidates, key=lambda c: contrast(background, c))
        if contrast(background, best) >= 4.5:
            break
    return best


def accent_on_white(color: str) -> str:
    """`color` where it reads on white (≥ 4.5:1), else a dark ink: for links, outlines and
    quick-reply buttons drawn in the shop's colour on the white window."""
    return color if contrast(color, "#ffffff") >= 4.5 else "#111418"


class Colors(BaseModel):
    primary: str
    on_primary: str = Field(description="Text colour on `primary`, chosen for WCAG AA contrast.")
    accent: str = Field(
        description="The shop's colour where it reads on white (WCAG AA), else a dark ink."
    )


class Texts(BaseModel):
    greeting: str
    subtitle: str
    starters: list[StarterButton]


class WidgetConfig(BaseModel):
    widget_key: str
    bot_name: str
    avatar_url: str | None
    colors: Colors
    position: Literal["right", "left"]
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


def widget_settings(tenant: Tenant) -> WidgetSettings:
    raw = (tenant.settings or {}).get("widget") or {}
    try:
        return WidgetSettings.model_validate(raw)
    except ValidationError as exc:
        log.warning("widget_settings_invalid", tenant_id=str(tenant.id), errors=exc.error_count())
        return WidgetSettings()


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
        )
        for lang in languages
    }
    return WidgetConfig(
        widget_key=tenant.widget_key,
        bot_name=s.bot_name or tenant.name,
        avatar_url=s.avatar_url,
        colors=Colors(
            primary=s.primary_color,
            on_primary=text_color_on(s.primary_color),
            accent=accent_on_white(s.primary_color),
        ),
        position=s.position,
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
    runtime: RuntimeDep,
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


# The demo shop's widget (`samtale demo`): Nora, Nordhjem's bot, in the shop's green.
DEMO_WIDGET_SETTINGS: dict[str, object] = {
    "bot_name": "Nora",
    "avatar_url": "/static/nora-avatar.svg",
    "primary_color": "#2f5d50",
    "privacy_policy_url": "/privatliv",
    "greeting": {
        "da": "Hej! Jeg er Nora, Nordhjems chatbot. Spørg mig om din pakke, levering, betaling, "
        "returnering eller vores varer – og tal med en person fra kundeservice, når du vil.",
        "sv": "Hej! Jag är Nora, Nordhjems chattbot. Fråga mig om ditt paket, leverans, betalning, "
        "returer eller våra produkter – och prata med en person på kundtjänst när du vill.",
        "nb": "Hei! Jeg er Nora, Nordhjems chatbot. Spør meg om pakken din, levering, betaling, "
        "retur eller varene våre – og snakk med en person i kundeservice når du vil.",
        "fi": "Hei! Olen Nora, Nordhjemin chattibotti. Kysy minulta paketistasi, toimituksesta, "
        "maksamisesta, palautuksista tai tuotteistamme – ja juttele asiakaspalvelijan kanssa "
        "milloin haluat.",
        "en": "Hi! I'm Nora, Nordhjem's chatbot. Ask me about your parcel, delivery, payment, "
        "returns or our products – and talk to a person from customer service whenever you like.",
    },
    "starters": {
        lang: [
            {"label": label, "intent": intent}
            for label, intent in zip(
                labels,
                ("track_order", "return_how", "delivery_methods", "payment_methods"),
                strict=True,
            )
        ]
        for lang, labels in {
            "da": ("Hvor er min pakke?", "Returnering", "Levering", "Betaling"),
            "sv": ("Var är mitt paket?", "Retur", "Leverans", "Betalning"),
            "nb": ("Hvor er pakken min?", "Retur", "Levering", "Betaling"),
            "fi": ("Missä pakettini on?", "Palautus", "Toimitus", "Maksaminen"),
            "en": ("Where is my parcel?", "Returns", "Delivery", "Payment"),
        }.items()
    },
}
