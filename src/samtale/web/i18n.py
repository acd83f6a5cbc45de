"""Texts of the staff pages (log-in, agent console, admin) in Danish and English.

Features add their own keys with `register()`; templates call `t("key")`. The language is the
person's choice (a cookie set from the language switch), else what their browser prefers.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

UI_LANGUAGES = ("da", "en")
LANG_COOKIE = "samtale_ui_lang"

_CATALOG: dict[str, dict[str, str]] = {"da": {}, "en": {}}


def register(texts: dict[str, dict[str, str]]) -> None:
    """Add texts: `{"key": {"da": "…", "en": "…"}}`."""
    for key, by_lang in texts.items():
        for lang in UI_LANGUAGES:
            _CATALOG[lang][key] = by_lang.get(lang) or by_lang["en"]


def ui_language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in UI_LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("da", "nb", "no", "nn", "sv"):
            return "da"
        if code == "en":
            return "en"
    return "da"


def translator(lang: str) -> Callable[..., str]:
    catalog = _CATALOG.get(lang, _CATALOG["en"])

    def t(key: str, **values: object) -> str:
        text = catalog.get(key) or _CATALOG["en"].get(key) or key
        return text.format(**values) if values else text

    return t


register(
    {
        "app.name": {"da": "Samtale", "en": "Samtale"},
        "login.title": {"da": "Log ind", "en": "Log in"},
        "login.email": {"da": "E-mail", "en": "E-mail"},
        "login.password": {"da": "Adgangskode", "en": "Password"},
        "login.submit": {"da": "Log ind", "en": "Log in"},
        "login.failed": {
            "da": "Forkert e-mail eller adgangskode.",
            "en": "Wrong e-mail or password.",
        },
        "login.locked": {
            "da": "For mange forsøg. Prøv igen om {minutes} min.",
            "en": "Too many attempts. Try again in {minutes} min.",
        },
        "login.expired": {
            "da": "Siden var udløbet. Prøv igen.",
            "en": "The page had expired. Please try again.",
        },
        "login.intro": {
            "da": "For kundeservice og butikkens administratorer.",
            "en": "For customer service and the shop's administrators.",
        },
        "nav.logout": {"da": "Log ud", "en": "Log out"},
        "nav.console": {"da": "Kundeservice", "en": "Console"},
        "nav.admin": {"da": "Administration", "en": "Admin"},
        "nav.language": {"da": "Sprog", "en": "Language"},
        "nav.skip": {"da": "Spring til indhold", "en": "Skip to content"},
        "home.title": {"da": "Velkommen", "en": "Welcome"},
    }
)
