"""What the redactor finds: the kinds of personal data, spans and the redaction result."""

from __future__ import annotations

from dataclasses import dataclass

EMAIL = "EMAIL"
PHONE = "PHONE"
NATIONAL_ID = "NATIONAL_ID"
CARD = "CARD"
IBAN = "IBAN"
BANK_ACCOUNT = "BANK_ACCOUNT"
ADDRESS = "ADDRESS"
NAME = "NAME"
ORDER_NUMBER = "ORDER_NUMBER"
TRACKING_NUMBER = "TRACKING_NUMBER"
URL = "URL"
IP = "IP"

TYPES: tuple[str, ...] = (
    EMAIL,
    PHONE,
    NATIONAL_ID,
    CARD,
    IBAN,
    BANK_ACCOUNT,
    ADDRESS,
    NAME,
    ORDER_NUMBER,
    TRACKING_NUMBER,
    URL,
    IP,
)

# Every kind has its own placeholder; a bank account number keeps its kind (`[BANK_ACCOUNT]`)
# rather than being folded into `[IBAN]`, so a reader of the redacted text knows what was there.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in TYPES}

# When two findings overlap, the more specific kind wins; between equals, the longer finding.
# The tenant's own order and tracking formats are declared by the shop, so they outrank the
# generic number recognizers that could also read the same digits (a card, a phone number).
PRIORITY: dict[str, int] = {
    EMAIL: 100,
    URL: 95,
    IBAN: 92,
    ORDER_NUMBER: 88,
    TRACKING_NUMBER: 88,
    NATIONAL_ID: 86,
    CARD: 85,
    BANK_ACCOUNT: 75,
    PHONE: 70,
    IP: 65,
    ADDRESS: 50,
    NAME: 40,
}


@dataclass(frozen=True, slots=True)
class Span:
    """One finding: its kind and where it is in the original text (`value` is that text)."""

    type: str
    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and the spans, in the original text, that were replaced."""

    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A recognizer's candidate before overlaps are resolved.

    `priority` overrides the kind's default (a generic order number read from context is weaker
    than the tenant's declared format); `keep` marks a zone that is not personal data but must
    shield its inside from other recognizers (a plain product URL full of digits).
    """

    type: str
    start: int
    end: int
    priority: int = -1
    keep: bool = False

    @property
    def rank(self) -> int:
        return self.priority if self.priority >= 0 else PRIORITY[self.type]
