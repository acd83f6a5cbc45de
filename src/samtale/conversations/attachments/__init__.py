"""Files in a conversation: photos and PDFs, checked, re-encoded and kept (see `service`)."""

from samtale.conversations.attachments.limits import AttachmentLimits, attachment_limits
from samtale.conversations.attachments.service import (
    AttachmentInfo,
    AttachmentService,
    claim,
    pending,
)

__all__ = [
    "AttachmentInfo",
    "AttachmentLimits",
    "AttachmentService",
    "attachment_limits",
    "claim",
    "pending",
]
