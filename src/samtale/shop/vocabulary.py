"""Words the shop integration shares: colours (codes, display names, the forms customers type),
countries and their currencies, and the locale used to format for each language.

Colours have a code (`navy`), a family (`blue`) and a display name per language. A customer who
writes "blå" means the family (navy and light blue count); one who writes "marineblå" means the
colour. Finnish inflects adjectives, so its forms are listed (musta, mustan, mustaa, …).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

LANGUAGES = ("da", "sv", "nb", "fi", "en")

# Country → currency. The Nordic shops this is for sell in their customers' currency.
CURRENCIES: dict[str, str] = {"DK": "DKK", "SE": "SEK", "NO": "NOK", "FI": "EUR"}
DEFAULT_CURRENCY = "EUR"

# A language's Babel locale for dates and numbers.
LOCALES: dict[str, str] = {
    "da": "da_DK",
    "sv": "sv_SE",
    "nb": "nb_NO",
    "fi": "fi_FI",
    "en": "en_GB",
}


def currency_for(country: str) -> str:
    return CURRENCIES.get(country.upper(), DEFAULT_CURRENCY)


def locale_for(language: str) -> str:
    return LOCALES.get(language, "en_GB")


def fold(text: str) -> str:
    """Lower case, NFKC, single spaces — the form every matcher compares."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class Colour:
    code: str
    family: str
    names: dict[str, str]


def _c(code: str, family: str, da: str, sv: str, nb: str, fi: str, en: str) -> Colour:
    return Colour(code, family, {"da": da, "sv": sv, "nb": nb, "fi": fi, "en": en})


COLOURS: dict[str, Colour] = {
    c.code: c
    for c in (
        _c("black", "black", "sort", "svart", "svart", "musta", "black"),
        _c("white", "white", "hvid", "vit", "hvit", "valkoinen", "white"),
        _c(
            "offwhite", "white", "offwhite", "offwhite", "offwhite", "luonnonvalkoinen", "off-white"
        ),
        _c("grey", "grey", "grå", "grå", "grå", "harmaa", "grey"),
        _c("charcoal", "grey", "koksgrå", "koksgrå", "koksgrå", "hiilenharmaa", "charcoal"),
        _c("navy", "blue", "marineblå", "marinblå", "marineblå", "tummansininen", "navy"),
        _c("blue", "blue", "blå", "blå", "blå", "sininen", "blue"),
        _c("lightblue", "blue", "lyseblå", "ljusblå", "lyseblå", "vaaleansininen", "light blue"),
        _c("green", "green", "grøn", "grön", "grønn", "vihreä", "green"),
        _c("olive", "green", "olivengrøn", "olivgrön", "olivengrønn", "oliivinvihreä", "olive"),
        _c("red", "red", "rød", "röd", "rød", "punainen", "red"),
        _c("burgundy", "red", "bordeaux", "vinröd", "vinrød", "viininpunainen", "burgundy"),
        _c(
            "terracotta",
            "red",
            "terracotta",
            "terrakotta",
            "terrakotta",
            "terrakotta",
            "terracotta",
        ),
        _c("pink", "pink", "rosa", "rosa", "rosa", "vaaleanpunainen", "pink"),
        _c("beige", "beige", "beige", "beige", "beige", "beige", "beige"),
        _c("sand", "beige", "sandfarvet", "sandfärgad", "sandfarget", "hiekanvärinen", "sand"),
        _c("natural", "beige", "natur", "natur", "natur", "luonnonvärinen", "natural"),
        _c("camel", "brown", "camel", "kamel", "kamel", "kameli", "camel"),
        _c("brown", "brown", "brun", "brun", "brun", "ruskea", "brown"),
        _c("yellow", "yellow", "gul", "gul", "gul", "keltainen", "yellow"),
        _c(
            "brass",
            "yellow",
            "messingfarvet",
            "mässingsfärgad",
            "messingfarget",
            "messinginvärinen",
            "brass",
        ),
        _c("clear", "clear", "klar", "klar", "klar", "kirkas", "clear"),
    )
}

# What a customer types → a colour family (`family:blue`) or one colour (`navy`). Matched as
# whole words on the folded text; the longest form wins ("marineblå" before "blå").
_FAMILY_WORDS: dict[str, str] = {
    "black": """sort sorte sorts svart svarta svarte svarts musta mustan mustaa mustat mustia
        mustassa mustana black""",
    "white": """hvid hvide hvidt vit vita vitt hvit hvite hvitt valkoinen valkoisen valkoista
        valkoiset valkoisia valkoisena white""",
    "grey": """grå gråa gråt grått graa harmaa harmaan harmaata harmaat harmaita harmaana grey
        gray""",
    "blue": """blå blåt blåa blått blaa sininen sinisen sinistä siniset sinisiä sinisenä blue""",
    "green": """grøn grønne grønt grön gröna grönt grønn grønne vihreä vihreän vihreää vihreät
        vihreitä vihreänä green""",
    "red": """rød røde rødt röd röda rött punainen punaisen punaista punaiset punaisia punaisena red""",
    "pink": """lyserød lyserøde rosa pink pinkki pinkin pinkkiä vaaleanpunainen vaaleanpunaisen
        vaaleanpunaista""",
    "beige": """beige beigen beigeä beigenä""",
    "brown": """brun brune brunt bruna ruskea ruskean ruskeaa ruskeat ruskeana brown""",
    "yellow": """gul gule gult gula keltainen keltaisen keltaista keltaiset keltaisena yellow""",
}
_COLOUR_WORDS: dict[str, str] = {
    "navy": """marineblå marinblå marineblåt marinblåa mørkeblå mörkblå mørkeblått mörkblått
        tummansininen tummansinisen tummansinistä laivastonsininen laivastonsinisen navy""",
    "lightblue": """lyseblå lyseblåt ljusblå ljusblåa lyseblått vaaleansininen vaaleansinisen
        vaaleansinistä light-blue""",
    "olive": """olivengrøn olivengrønne olivgrön olivgröna olivengrønn olivengrønne oliven oliv
        oliivinvihreä oliivinvihreän oliivi olive khaki""",
    "burgundy": """bordeaux bordeauxrød vinrød vinröd vinröda vinrøde viininpunainen
        viininpunaisen burgundy""",
    "charcoal": """koksgrå koksgråa antracit antrasitt antracitgrå hiilenharmaa hiilenharmaan
        charcoal""",
    "offwhite": """offwhite off-white råhvid råhvide benhvid naturhvid naturvit naturhvit
        luonnonvalkoinen luonnonvalkoisen cream creme""",
    "camel": """camel kamel cognac konjak kameli kamelinvärinen""",
    "terracotta": """terracotta terrakotta""",
    "clear": """klart klarglas gennemsigtig gennemsigtigt genomskinlig genomskinliga
        gjennomsiktig gjennomsiktige kirkas kirkkaat kirkasta clear transparent""",
    "sand": """sandfarvet sandfarvede sandfärgad sandfärgade sandfarget sandfargede
        hiekanvärinen hiekanvärisen""",
    "natural": """naturfarvet naturfarvede naturfärgad naturfarget luonnonvärinen
        luonnonvärisen""",
}
_PHRASES: dict[str, str] = {"light blue": "lightblue", "dark blue": "navy", "navy blue": "navy",
                            "off white": "offwhite"}  # fmt: skip


@cache
def _colour_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for family, words in _FAMILY_WORDS.items():
        for w in words.split():
            index[w] = f"family:{family}"
    for code, words in _COLOUR_WORDS.items():
        for w in words.split():
            index[w] = code
    for phrase, code in _PHRASES.items():
        index[phrase] = code
    return index


@cache
def _colour_regex() -> re.Pattern[str]:
    forms = sorted(_colour_index(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])")


def find_colours(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Colour mentions in folded `text`: (`code` or `family:<family>`, span)."""
    index = _colour_index()
    return [(index[m.group(1)], m.span()) for m in _colour_regex().finditer(text)]


def colour_matches(wanted: str, code: str) -> bool:
    """Does colour `code` satisfy a wish (`navy` or `family:blue`)?"""
    if wanted.startswith("family:"):
        colour = COLOURS.get(code)
        return colour is not None and colour.family == wanted[7:]
    return wanted == code


def colour_name(code: str, language: str) -> str:
    colour = COLOURS.get(code)
    if colour is None:
        return code
    return colour.names.get(language) or colour.names["en"]


# Country names as customers write them, for "delivery to Norway" and the other-country buttons.
COUNTRY_NAMES: dict[str, dict[str, str]] = {
    "DK": {"da": "Danmark", "sv": "Danmark", "nb": "Danmark", "fi": "Tanska", "en": "Denmark"},
    "SE": {"da": "Sverige", "sv": "Sverige", "nb": "Sverige", "fi": "Ruotsi", "en": "Sweden"},
    "NO": {"da": "Norge", "sv": "Norge", "nb": "Norge", "fi": "Norja", "en": "Norway"},
    "FI": {"da": "Finland", "sv": "Finland", "nb": "Finland", "fi": "Suomi", "en": "Finland"},
}
_COUNTRY_WORDS: dict[str, str] = {
    "DK": "danmark dk tanska tanskaan tanskassa tanskan denmark",
    "SE": "sverige sverig ruotsi ruotsiin ruotsissa ruotsin sweden",
    "NO": "norge norwegen norja norjaan norjassa norjan norway noreg",
    "FI": "finland finnland suomi suomeen suomessa suomen",
}
# Countries a Nordic shop is often asked about but does not deliver to.
OTHER_COUNTRY_WORDS = """tyskland germany saksa saksaan island iceland islanti islantiin
    england uk storbritannien britain iso-britannia usa amerika america holland nederland
    netherlands alankomaat polen poland puola estland estonia viro"""


@cache
def _country_index() -> dict[str, str]:
    index = {w: code for code, words in _COUNTRY_WORDS.items() for w in words.split()}
    index.update({w: "other" for w in OTHER_COUNTRY_WORDS.split()})
    return index


def find_country(text: str) -> str | None:
    """The country a message names (ISO code, or "other" for one the shop does not serve)."""
    index = _country_index()
    for word in re.findall(r"[\w-]+", fold(text)):
        if word in index:
            return index[word]
    return None


# Carrier codes and the names customers know them by.
CARRIERS: dict[str, str] = {
    "postnord": "PostNord",
    "gls": "GLS",
    "dao": "DAO",
    "bring": "Bring",
    "budbee": "Budbee",
    "posti": "Posti",
    "instabox": "Instabox",
    "dhl": "DHL",
}


def carrier_name(code: str) -> str:
    return CARRIERS.get(code.lower(), code)
