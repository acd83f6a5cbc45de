"""A shop's limits on attachments, kept in its settings (`settings["attachments"]`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 10
DEFAULT_MAX_FILES = 10
# The highest a shop may set: a file is read into memory to be re-encoded.
MAX_FILE_MB = 25
MAX_FILES = 50


class AttachmentLimits(BaseModel):
    """Per file and per conversation; both sides (customer and staff) count."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    max_file_mb: int = Field(default=DEFAULT_MAX_FILE_MB, ge=1, le=MAX_FILE_MB)
    max_files: int = Field(default=DEFAULT_MAX_FILES, ge=1, le=MAX_FILES)

    @property
    def max_bytes(self) -> int:
        return self.max_file_mb * MB


def attachment_limits(settings: dict[str, Any] | None) -> AttachmentLimits:
    """The limits in a tenant's settings (the defaults when unset or unreadable)."""
    raw = (settings or {}).get("attachments")
    if not isinstance(raw, dict):
        return AttachmentLimits()
    try:
        return AttachmentLimits.model_validate(raw)
    except ValidationError:
        return AttachmentLimits()
