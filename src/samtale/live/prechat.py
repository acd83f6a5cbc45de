"""The pre-chat form: its fields as the widget draws them, and the answers checked against them.

Errors name the field and the rule (`required`, `invalid_email`, …) and never echo the value.
The answers are what the customer wrote for this case: they are stored with the handoff, shown
to agents, put in the customer's transcript, and their e-mail, phone and order numbers go to the
identifier index as keyed hashes (so a deletion request finds the conversation). Nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from samtale.kernel.text import EMAIL_PATTERN, clean_text
from samtale.live.settings import LiveSettings, PrechatField
from samtale.live.texts import text
from samtale.privacy.pii import normalize_identifier

EMAIL = re.compile(EMAIL_PATTERN)
MESSAGES = {
    "required": "This field is required.",
    "invalid_email": "Not a valid e-mail address.",
    "invalid_phone": "Not a valid phone number.",
    "invalid_choice": "Not one of the options.",
    "too_long": "Too long.",
    "unknown_field": "The form has no such field.",
    "not_text": "Must be text.",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"field": f"answers.{self.field}", "code": self.code, "message": MESSAGES[self.code]}


def label(f: PrechatField, language: str) -> str:
    if f.label:
        return f.label.get(language) or next(iter(f.label.values()))  # type: ignore[call-overload]
    key = "topic" if f.kind == "choice" else f.kind
    return text(key, language)


def option_label(f: PrechatField, value: str, language: str) -> str:
    for o in f.options:
        if o.value == value:
            return o.label.get(language) or next(iter(o.label.values()), value)  # type: ignore[call-overload]
    return value


def check_answers(
    settings: LiveSettings, answers: dict[str, Any], languages: list[str]
) -> tuple[dict[str, str], list[FieldError]]:
    """The cleaned answers (empty optional fields left out), or the errors per field."""
    fields = {f.name: f for f in settings.prechat_fields}
    errors = [FieldError(name, "unknown_field") for name in answers if name not in fields]
    clean: dict[str, str] = {}
    for name, f in fields.items():
        raw = answers.get(name)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            errors.append(FieldError(name, "not_text"))
            continue
        value = clean_text(raw)
        if f.kind not in ("textarea",):
            value = " ".join(value.split())
        if not value:
            if f.required:
                errors.append(FieldError(name, "required"))
            continue
        if len(value) > f.limit:
            errors.append(FieldError(name, "too_long"))
            continue
        if f.kind == "email" and not EMAIL.match(value):
            errors.append(FieldError(name, "invalid_email"))
            continue
        if f.kind == "phone" and normalize_identifier("phone", value, languages) is None:
            errors.append(FieldError(name, "invalid_phone"))
            continue
        if f.kind == "choice" and value not in {o.value for o in f.options}:
            errors.append(FieldError(name, "invalid_choice"))
            continue
        clean[name] = value
    return clean, errors


def identifiers(settings: LiveSettings, answers: dict[str, str]) -> tuple[list[str], list[str]]:
    """(values of identifier kinds as `kind:value`, free texts) to index."""
    kinds: list[str] = []
    texts: list[str] = []
    for f in settings.prechat_fields:
        value = answers.get(f.name)
        if not value:
            continue
        if f.kind in ("email", "phone", "order_number"):
            kinds.append(f"{f.kind}:{value}")
        elif f.kind != "choice":
            texts.append(value)
    return kinds, texts


def labelled(
    settings: LiveSettings, answers: dict[str, Any], language: str
) -> list[dict[str, str]]:
    """The answers as (label, value) for agents and transcripts, in the form's order."""
    out = []
    fields = {f.name: f for f in settings.prechat_fields}
    for name, value in answers.items():
        f = fields.get(name)
        shown = str(value)
        if f is not None and f.kind == "choice":
            shown = option_label(f, shown, language)
        out.append(
            {
                "name": name,
                "kind": f.kind if f else "text",
                "label": label(f, language) if f else name,
                "value": shown,
            }
        )
    order = {f.name: i for i, f in enumerate(settings.prechat_fields)}
    return sorted(out, key=lambda item: order.get(item["name"], 99))
