"""Street addresses and postcode + city.

A street is a name ending in a street word — Danish `-vej -gade -allé -plads -stræde -vænge`,
Swedish `-gatan -vägen -gränd -torget`, Norwegian `-veien -gata -gate -vei`, Finnish `-tie
-katu -kuja -polku`, English `Road Street Avenue Lane` … — followed by a house number, with
what may follow it: a letter, floor and side (`2. tv.`, `st. th.`, `1. sal`), a Swedish
`lgh 1102`, a Norwegian `H0201`, a Finnish staircase and flat (`B 12`), and a postcode and city
(`2100 København Ø`, `114 55 Stockholm`, `0150 Oslo`, `00100 Helsinki`). English addresses put
the number first (`221B Baker Street`).

A postcode and city alone are an address too when the city is known or the line reads like
one; a postcode alone ("leverer I til 2100?") is not personal data and survives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import COMMON_WORDS, MONTHS_AND_DAYS, NOT_NAMES, name_lists
from .model import ADDRESS, Finding

_UP = "A-ZÆØÅÄÖÜÉ"
_LOW = "a-zæøåäöüéèáíóúß"
_ATTACHED = (
    "vej|vejen|gade|gaden|allé|alle|alléen|alleen|boulevarden|boulevard|plads|pladsen|torv|torvet|stræde|"
    "strædet|vænge|vænget|parken|haven|toften|bakken|bakke|vangen|høj|højen|stien|kæret|lunden|"
    "engen|marken|krogen|gyde|passage|kaj|kajen|brygge|ager|løkke|leddet|vang|dalen|mosen|skoven|"
    "holm|have|park|bjerg|sti|tofte|toft|hegnet|gatan|gata|vägen|väg|gränd|gränden|torget|torg|"
    "stigen|backen|platsen|allén|leden|stråket|esplanaden|promenaden|liden|slingan|gången|ringen|"
    "vallen|veien|vegen|vei|veg|gate|gaten|plass|plassen|lia|åsen|haugen|tunet|svingen|brinken|"
    "kroken|jordet|løkka|enga|tie|katu|kuja|polku|raitti|kaari|rinne|puistikko|väylä|tori|aukio|"
    "ranta|piha|kulma|kierros|portti|tanhua|mäki|niitty|laakso|ahde"
)
_LOWER_OK = "vej|vejen|gade|gaden|stræde|gatan|vägen|veien|vegen|gata|katu|tie|kuja|polku"
_SEPARATE = "|".join(
    w
    for base in [
        "vej",
        "gade",
        "allé",
        "alle",
        "plads",
        "boulevard",
        "torv",
        "stræde",
        "vænge",
        "park",
        "have",
        "väg",
        "gata",
        "gatan",
        "vägen",
        "gränd",
        "torg",
        "gate",
        "vei",
        "veien",
        "vegen",
        "plass",
        "tie",
        "katu",
    ]
    for w in (base, base.capitalize())
)
_EN_SUFFIX = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Place|Pl|Court|Ct|Gardens|"
    "Crescent|Terrace|Square|Sq|Hill|Row|Walk|Grove|Mews|Park|Boulevard|Blvd|Parade|Green|Rise"
)
_PREFIX = (
    rf"(?:Gl\.|Gammel|Gamle|Ny|Nye|Nya|Store|St\.|Lille|Ll\.|Nørre|Ndr\.|Nordre|Søndre|Sdr\.|"
    rf"Sønder|Vester|Vestre|Øster|Østre|Øvre|Nedre|Övre|Norra|Södra|Västra|Östra|Stora|Lilla|"
    rf"Gamla|Sankt|Skt\.|Kongens|Dronning|Drottning|Kong|Kung|Prins|Prinsesse|Dr\.|"
    rf"(?:[{_UP}]\.\s?){{1,3}}|[{_UP}][{_LOW}]+s?)"
)
_NUMBER = r"\d{1,4}(?:\s?[A-Za-z](?![\w]))?(?:\s?-\s?\d{1,4}[A-Za-z]?)?"
_UNIT = (
    r"(?:,?\s*(?:(?:st|kl|kld|stuen|sal)\.?|\d{1,2}\.?(?:\s?(?:sal|tr|trappor)\.?)?)"
    r"(?:\s*,?\s*(?:tv|th|mf|t\.v|t\.h|\d{1,4})\.?)?(?![\w]))?"
    r"(?:,?\s*(?:lgh|lägenhet|lejl|leil|as|asunto|apt|flat)\.?\s*\d{1,4})?"
    r"(?:,?\s*[HU]\d{4})?"
    r"(?:\s[A-H]\s?\d{1,3}(?![\w]))?"
    r"(?:,?\s*\d\s?tr\.?)?"
)
_CITY = rf"[{_UP}][{_LOW}]+(?:[ -][{_UP}][{_LOW}]+)?(?:\s(?:NV|SV|NØ|SØ|[NSØVKC])(?![\w]))?"
_POSTCODE = r"(?:(?:DK|SE|NO|FI|S|N)-?\s?)?(?:\d{3}\s\d{2}|\d{4,5})"
_POST_CITY = rf"(?P<post>{_POSTCODE})\s+(?P<city>{_CITY})"

_STREET_RE = re.compile(
    rf"(?<![\w])(?:(?:{_PREFIX})[ ]){{0,3}}"
    rf"(?:[{_UP}][{_LOW}'-]*(?:{_ATTACHED})|[{_LOW}]{{3,}}(?:{_LOWER_OK}))"
    rf"\s+{_NUMBER}{_UNIT}"
    rf"(?:\s*(?:,|\n)?\s*{_POST_CITY})?"
)
_STREET_SEP_RE = re.compile(
    rf"(?<![\w])(?:(?:{_PREFIX})[ ]){{1,3}}(?:{_SEPARATE})\s+{_NUMBER}{_UNIT}"
    rf"(?:\s*(?:,|\n)?\s*{_POST_CITY})?"
)
_STREET_EN_RE = re.compile(
    rf"(?<![\w])(?:(?:Flat|Apt|Apartment|Unit)\s\d{{1,4}}[A-Za-z]?,?\s)?\d{{1,4}}[A-Za-z]?,?\s"
    rf"(?:[{_UP}][{_LOW}]+[ ]){{1,3}}(?:{_EN_SUFFIX})\.?(?![\w])"
    rf"(?:,\s*[{_UP}][{_LOW}]+(?:\s[{_UP}][{_LOW}]+)?)?"
    rf"(?:,?\s*[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}})?"
)
_POST_CITY_RE = re.compile(rf"(?<![\w.,/-]){_POST_CITY}")


def _city_ok(city: str, postcode: str, text: str, end: int) -> bool:
    lists = name_lists()
    words = city.split()
    first = words[0].lower()
    if first in COMMON_WORDS or first in MONTHS_AND_DAYS or first in NOT_NAMES:
        return False
    if first in lists.cities or city.lower() in lists.cities:
        return True
    digits = re.sub(r"\D", "", postcode)
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return False  # more likely a year
    # An unknown word reads as a city when the line ends with it, or a comma follows.
    rest = text[end : end + 3]
    return rest == "" or rest[0] in ",\n." or (len(words) > 1 and len(words[-1]) <= 2)


def find_addresses(text: str) -> Iterator[Finding]:
    for regex in (_STREET_RE, _STREET_SEP_RE, _STREET_EN_RE):
        for m in regex.finditer(text):
            start, end = m.start(), m.end()
            if (
                m.re is not _STREET_EN_RE
                and m.group("city") is not None
                and not _city_ok(m.group("city"), m.group("post"), text, m.end())
            ):
                end = m.start("post")
            while end > start and text[end - 1] in " ,\n\t":
                end -= 1
            # A greeting or a common word caught as the first word of a street name.
            while True:
                word = re.match(r"[^\W\d_]+\.?\s+", text[start:end])
                if not word or word.group().strip().rstrip(".").lower() not in COMMON_WORDS:
                    break
                start += word.end()
            yield Finding(ADDRESS, start, end)
    for m in _POST_CITY_RE.finditer(text):
        if _city_ok(m.group("city"), m.group("post"), text, m.end()):
            yield Finding(ADDRESS, m.start(), m.end())
