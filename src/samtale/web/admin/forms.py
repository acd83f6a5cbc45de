"""Forms of the admin pages: reading posted fields, and showing the pydantic models' validation
errors next to the fields they belong to, in the admin's language.

A page's form posts plain fields; the page builds the same pydantic model the API and the
commands use and, when it does not validate, renders the form again with what was typed and
`errors` (form field name → message). `errors_by_field(exc, names)` maps a model's error
locations to form field names (`("greeting", "da")` → `greeting.da` by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request

from samtale.accounts.sessions import Staff
from samtale.web.i18n import translator, ui_language
from samtale.web.staff.session import check_form_csrf

MAX_FORM_FIELDS = 3000


def error_message(error: Mapping[str, Any], t: Callable[..., str]) -> str:
    """One pydantic error in words; a model's own rule (a value error) keeps its message."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return t("form.missing")
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return t("form.missing") if n == 1 else t("form.too_short", n=n)
    if kind == "string_too_long":
        return t("form.too_long", n=ctx.get("max_length"))
    if kind == "too_short":
        return t("form.too_few", n=ctx.get("min_length"))
    if kind == "too_long":
        return t("form.too_many", n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return t("form.pattern")
    if kind in ("greater_than_equal", "greater_than"):
        return t("form.min", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return t("form.max", n=ctx.get("le", ctx.get("lt")))
    if kind in ("int_parsing", "float_parsing", "int_from_float"):
        return t("form.number")
    if kind in ("literal_error", "enum"):
        return t("form.choice")
    if kind.startswith("url"):
        return t("form.url")
    if kind.startswith("date"):
        return t("form.date")
    msg = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error", "yaml"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg or t("form.invalid")


def loc_name(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def errors_by_field(
    errors: ValidationError | list[dict[str, Any]],
    t: Callable[..., str],
    rename: Callable[[tuple[Any, ...]], str | None] | None = None,
) -> dict[str, str]:
    """Form field name → the first message for it. `rename` maps a location to a field name
    (None: the default dotted name); errors without a field go under `""`."""
    items = errors.errors(include_url=False) if isinstance(errors, ValidationError) else errors
    out: dict[str, str] = {}
    for error in items:
        loc = tuple(error.get("loc") or ())
        name = (rename(loc) if rename else None) or loc_name(loc)
        out.setdefault(name, error_message(error, t))
    return out


class AdminForm:
    """A posted form, read once: `get`, `get_list`, `lines`, `checked`, with the CSRF check."""

    def __init__(self, data: FormData) -> None:
        self.data = data

    @classmethod
    async def read(cls, request: Request, staff: Staff) -> AdminForm:
        data = await request.form(max_fields=MAX_FORM_FIELDS, max_files=2)
        csrf = data.get("csrf")
        check_form_csrf(staff, csrf if isinstance(csrf, str) else None)
        return cls(data)

    def get(self, name: str, default: str = "") -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else default

    def raw(self, name: str) -> str:
        """The value as typed (line ends normalised), for texts whose spacing matters."""
        value = self.data.get(name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else ""

    def get_list(self, name: str) -> list[str]:
        return [v.strip() for v in self.data.getlist(name) if isinstance(v, str)]

    def lines(self, name: str) -> list[str]:
        """A textarea with one item per line (empty lines dropped)."""
        return [line.strip() for line in self.raw(name).split("\n") if line.strip()]

    def blocks(self, name: str) -> list[str]:
        """A textarea with items separated by an empty line (for multi-line texts)."""
        text = self.raw(name).strip()
        if not text:
            return []
        blocks, current = [], []
        for line in text.split("\n"):
            if line.strip():
                current.append(line.rstrip())
            elif current:
                blocks.append("\n".join(current))
                current = []
        if current:
            blocks.append("\n".join(current))
        return blocks

    def checked(self, name: str) -> bool:
        return self.get(name) in ("on", "1", "true", "yes")

    def int_or_none(self, name: str) -> int | str | None:
        """An integer, None when empty, or the text as typed (for the model to reject)."""
        value = self.get(name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            return value

    def file(self, name: str) -> Any:
        value = self.data.get(name)
        return None if isinstance(value, str) or value is None else value


def t_for(request: Request) -> Callable[..., str]:
    return translator(ui_language(request))
