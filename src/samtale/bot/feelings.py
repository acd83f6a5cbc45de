"""Words that say a customer is unhappy, in the five languages: a safety net under the classifier.

A dissatisfied customer rarely writes like the examples ("uselt, helt uselt", "olipa pettymys").
When the classifier does not understand such a message, or takes it for small talk, a greeting or
a goodbye, one of these words is enough to answer it as a complaint (an apology and the offer of
a person) rather than ask the customer to rephrase. Stems match the start of a word, so
inflections and compounds count ("skuffende", "besvikelse", "pettymys", "disappointing").
"""

from __future__ import annotations

import re
import unicodedata

_STEMS: dict[str, tuple[str, ...]] = {
    "da": (
        "skuffe", "elendig", "utilfreds", "uacceptab", "latterlig", "pinlig", "rasende", "vred",
        "amatør", "idiot", "håbløs", "lort", "pisse", "skandal", "svigt", "snydt", "uprofession",
        "forfærdel", "katastrof", "ringeste", "værste", "dårligste", "uhørt", "frustrer",
        "roder", "rodet", "gider ikke", "makværk", "nu er det nok", "nok er nok", "sjusk",
    ),
    "sv": (
        "besvik", "usel", "uselt", "missnöj", "oacceptab", "löjlig", "pinsam", "arg", "förbann",
        "amatör", "idiot", "hopplös", "skit", "skandal", "svik", "lurad", "oprofession",
        "fruktansvärd", "katastrof", "sämst", "värdelös", "frustrer", "vidrig",
        "klant", "skräp", "nu får det vara nog", "nu räcker det", "slarv",
    ),
    "nb": (
        "skuff", "elendig", "misfornøy", "uakseptab", "latterlig", "pinlig", "sint", "forbann",
        "amatør", "idiot", "håpløs", "dritt", "skandal", "svik", "lurt", "uprofesjon",
        "forferdelig", "katastrof", "verste", "dårligste", "frustrer", "ræva", "møkk",
        "roter", "rotet", "makkverk", "nå får det være nok", "nå holder det", "slurv",
    ),
    "fi": (
        "pettymy", "pettyny", "pettää", "surkea", "tyytymät", "kestämät", "naurettav", "vihai",
        "raivo", "amatöör", "idiootti", "toivoton", "paska", "skandaali", "huijat", "huijaus",
        "epäammatti", "kamala", "kauhea", "katastrofi", "huonoin", "vitu", "perse", "turhautu",
        "nyt riittää", "sotke", "sössi",
    ),
    "en": (
        "disappoint", "terrible", "awful", "pathetic", "unacceptable", "ridiculous", "useless",
        "furious", "angry", "pissed", "amateur", "idiot", "hopeless", "crap", "shit", "scandal",
        "cheat", "unprofessional", "horrible", "disaster", "worst", "rubbish", "disgrace",
        "disgust", "appalling", "outrage", "frustrat", "fed up", "sick of", "ruined", "joke of",
        "messed", "mess up", "screwed", "enough is enough", "sloppy",
    ),
}  # fmt: skip
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def _fold(text: str) -> str:
    return " " + " ".join(_WORDS.findall(unicodedata.normalize("NFKC", text).casefold())) + " "


def sounds_dissatisfied(text: str, language: str | None = None) -> bool:
    """True when `text` has a word of dissatisfaction (in `language`, else in any language)."""
    folded = _fold(text)
    languages = [language] if language in _STEMS else list(_STEMS)
    return any(f" {stem}" in folded for lang in languages for stem in _STEMS[lang])
