"""The staff pages' language (log-in, agent console, admin: Danish or English) and their
texts, from the one catalogue (`kernel/texts/staff.yaml`); templates call `t("key")`. The
language is the person's choice (a cookie set from the language switch), else what their
browser prefers.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from samtale.kernel.i18n import catalogue

UI_LANGUAGES = ("da", "en")
LANG_COOKIE = "samtale_ui_lang"


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
    texts = catalogue("staff")
    language = lang if lang in UI_LANGUAGES else "en"

    def t(key: str, **values: object) -> str:
        return texts.text(key, language, **values)

    return t
