"""A shop's widget settings: what `tenant.settings["widget"]` may hold, validated by
`WidgetSettings` (the admin pages edit them through the same model), and the colours derived
from them. Everything has a default, so a shop with no settings gets a working widget; invalid
stored settings never break the widget: they are logged (by tenant id) and the defaults are used.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from samtale.kernel.languages import Language
from samtale.kernel.logs import get_logger
from samtale.model import Tenant

log = get_logger(__name__)

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f4f82"
UNSAFE_URL_CHARS = re.compile(r"[\s<>\"'\\`]")

LauncherText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
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
    theme: Literal["auto", "light", "dark"] = Field(
        default="auto",
        description="`auto` follows the visitor's system (`prefers-color-scheme`); `light` or "
        "`dark` forces one.",
    )
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
    launcher_text: dict[Language, LauncherText] = Field(
        default_factory=dict,
        description="Per language: a label beside the chat button's icon (none: the icon alone).",
    )

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


# The dark window's background (the widget's `--bg` in dark mode).
DARK_BACKGROUND = "#1b1f24"
LIGHT_INK_ON_DARK = "#e6e9ed"


def accent_on_dark(color: str) -> str:
    """`color` where it reads on the dark window (≥ 4.5:1), else a light ink."""
    return color if contrast(color, DARK_BACKGROUND) >= 4.5 else LIGHT_INK_ON_DARK


def color_warnings(color: str, theme: str = "auto") -> list[str]:
    """What an admin should know about a colour (text keys of `settings.widget.warn_*`): the
    text on it always reaches WCAG AA (white or black is chosen), but a chat button that hardly
    stands out from the page is easy to miss (WCAG's 3:1 for user-interface components) — on a
    white page, or, for a shop that chose the dark window, on a dark one."""
    warnings = []
    if contrast(color, "#ffffff") < 3:
        warnings.append("warn_light")
    if theme == "dark" and contrast(color, DARK_BACKGROUND) < 3:
        warnings.append("warn_dark")
    return warnings


class Colors(BaseModel):
    primary: str
    on_primary: str = Field(description="Text colour on `primary`, chosen for WCAG AA contrast.")
    accent: str = Field(
        description="The shop's colour where it reads on white (WCAG AA), else a dark ink."
    )
    accent_dark: str = Field(
        default=LIGHT_INK_ON_DARK,
        description="The same for the dark window: the shop's colour where it reads on it, "
        "else a light ink.",
    )


class Texts(BaseModel):
    greeting: str
    subtitle: str
    starters: list[StarterButton]
    launcher: str | None = Field(
        default=None, description="The label beside the chat button's icon (none: icon only)."
    )


def widget_settings(tenant: Tenant) -> WidgetSettings:
    raw = (tenant.settings or {}).get("widget") or {}
    try:
        return WidgetSettings.model_validate(raw)
    except ValidationError as exc:
        log.warning("widget_settings_invalid", tenant_id=str(tenant.id), errors=exc.error_count())
        return WidgetSettings()
