"""Tracking links that need no key: the carrier's own public tracking page for a number, in the
customer's language where the carrier has one. A link is what the customer gets whenever a live
status is not available (no credentials, a slow or failing carrier)."""

from __future__ import annotations

from urllib.parse import quote

_COUNTRY = {"da": "dk", "sv": "se", "nb": "no", "fi": "fi", "en": "en"}


def _postnord(number: str, language: str) -> str:
    return f"https://tracking.postnord.com/{_COUNTRY.get(language, 'en')}/?id={number}"


def _gls(number: str, language: str) -> str:
    if language == "da":
        return f"https://gls-group.com/DK/da/find-pakke?match={number}"
    return f"https://gls-group.com/GROUP/en/parcel-tracking?match={number}"


def _dao(number: str, language: str) -> str:
    return f"https://www.dao.as/privat/find-din-pakke?stregkode={number}"


def _bring(number: str, language: str) -> str:
    if language == "nb":
        return f"https://sporing.posten.no/sporing/{number}"
    lang = {"da": "da", "sv": "sv", "fi": "en", "en": "en"}.get(language, "en")
    return f"https://tracking.bring.com/tracking/{number}?lang={lang}"


def _posti(number: str, language: str) -> str:
    lang = {"fi": "fi", "sv": "sv"}.get(language, "en")
    return f"https://www.posti.fi/{lang}/seuranta#/lahetys/{number}"


def _budbee(number: str, language: str) -> str:
    return f"https://tracking.budbee.com/{number}"


def _instabox(number: str, language: str) -> str:
    return f"https://track.instabox.io/{number}"


def _dhl(number: str, language: str) -> str:
    site = {"da": "dk-da", "sv": "se-sv", "fi": "fi-fi"}.get(language, "global-en")
    return (
        f"https://www.dhl.com/{site}/home/tracking/tracking-parcel.html"
        f"?submit=1&tracking-id={number}"
    )


LINKS = {
    "postnord": _postnord,
    "gls": _gls,
    "dao": _dao,
    "bring": _bring,
    "posti": _posti,
    "budbee": _budbee,
    "instabox": _instabox,
    "dhl": _dhl,
}


def tracking_link(carrier: str, number: str, language: str = "en") -> str | None:
    """The carrier's public tracking page for `number`; None for a carrier we have none for."""
    make = LINKS.get(carrier)
    if make is None or not number.strip():
        return None
    return make(quote("".join(number.split()).upper(), safe=""), language)
