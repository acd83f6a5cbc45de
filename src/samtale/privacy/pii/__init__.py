"""Finding and removing personal data in customer messages.

`redact` replaces e-mails, phone numbers, national identity numbers, card numbers, IBANs and
bank accounts, addresses, names, the shop's order and tracking numbers, personal links and IP
addresses by typed placeholders; `find_identifiers` and `normalize_identifier` feed the index of
keyed identifier hashes. `ShopVocabulary` holds a shop's own words (products, brands,
categories, carriers), which `redact(..., keep=...)` never takes for a person's name. This package imports nothing else of Samtale.
"""

from .model import PLACEHOLDERS, TYPES, Redaction, Span
from .redactor import (
    detect,
    find_identifiers,
    identifiers_in,
    normalize_identifier,
    redact,
    redact_spans,
)
from .vocabulary import ShopVocabulary

__all__ = [
    "PLACEHOLDERS",
    "TYPES",
    "Redaction",
    "ShopVocabulary",
    "Span",
    "detect",
    "find_identifiers",
    "identifiers_in",
    "normalize_identifier",
    "redact",
    "redact_spans",
]
