"""The turn's one reading of a visitor's text for personal data (`TextInspector`).

`inspect` runs `pii.detect` once, in a worker thread so the event loop keeps serving other
requests, with the tenant's order and tracking formats, the conversation's language first (it
decides how a phone number without a country code is read) and the shop's own words kept (never
taken for a person's name). From the one set of spans come both the redacted text (the
improvement sample) and the identifiers (the identifier index), so a sampled message is not read
twice and nothing is read inside the turn's transaction.

The tenant's formats and languages are kept for `TENANT_CACHE_SECONDS`; `forget` drops them at
once when the shop changes its settings.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from samtale.conversations.findings import TextFindings
from samtale.conversations.responder import ConversationContext
from samtale.infra.database import Database
from samtale.model import Tenant
from samtale.privacy.pii import ShopVocabulary, detect, identifiers_in, redact_spans
from samtale.tenants.formats import TenantFormats, tenant_formats

# How long a tenant's formats and languages are reused before they are read again.
TENANT_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class _TenantReading:
    formats: TenantFormats
    languages: tuple[str, ...]
    default_language: str


class TurnInspector:
    """Implements the conversations' `TextInspector` with the PII detector."""

    def __init__(
        self,
        db: Database,
        vocabulary: Callable[[uuid.UUID], ShopVocabulary | None] | None = None,
        seconds: float = TENANT_CACHE_SECONDS,
    ) -> None:
        self.db = db
        # The shop's own words (its catalogue), never masked as names.
        self.vocabulary = vocabulary
        self.seconds = seconds
        self._tenants: dict[uuid.UUID, tuple[float, _TenantReading]] = {}

    async def _tenant(self, tenant_id: uuid.UUID) -> _TenantReading | None:
        cached = self._tenants.get(tenant_id)
        if cached is not None and time.monotonic() - cached[0] < self.seconds:
            return cached[1]
        async with self.db.session() as session:
            tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            return None
        reading = _TenantReading(
            tenant_formats(tenant), tuple(tenant.languages or ()), tenant.default_language
        )
        self._tenants[tenant_id] = (time.monotonic(), reading)
        return reading

    def forget(self, tenant_id: uuid.UUID | None = None) -> None:
        """Read the tenant (or every tenant) again next time: its settings changed."""
        if tenant_id is None:
            self._tenants.clear()
        else:
            self._tenants.pop(tenant_id, None)

    async def inspect(self, ctx: ConversationContext, text: str) -> TextFindings | None:
        tenant = await self._tenant(ctx.tenant_id)
        if tenant is None:
            return None
        language = str(ctx.notes.language or ctx.language)
        languages = list(dict.fromkeys([language, tenant.default_language, *tenant.languages]))
        keep = self.vocabulary(ctx.tenant_id) if self.vocabulary is not None else None
        return await asyncio.to_thread(read_text, text, languages, tenant.formats, keep)


def read_text(
    text: str,
    languages: list[str],
    formats: TenantFormats,
    keep: ShopVocabulary | None = None,
) -> TextFindings:
    """One detection of `text`: the redacted text and the identifiers to index."""
    spans = detect(
        text,
        languages,
        order_number_patterns=formats.order_number_patterns,
        tracking_number_patterns=formats.tracking_number_patterns,
        keep=keep,
    )
    return TextFindings(redact_spans(text, spans).text, tuple(identifiers_in(spans, languages)))
