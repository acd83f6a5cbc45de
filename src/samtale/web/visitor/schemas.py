"""Pydantic models of the visitor API: the contract the widget and third-party clients use."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from samtale.kernel.text import clean_text

ClientId = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class StartConversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(
        default=None,
        max_length=16,
        pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$",
        description="The page's or browser's language (`da`, `sv`, `nb`, `no`, `fi`, `en`, or a locale such as `da-DK`). Unsupported languages fall back to the shop's default.",
    )
    page_url: str | None = Field(
        default=None,
        max_length=2000,
        description="The page the chat was opened on; only its path is kept.",
    )


class ConversationStarted(BaseModel):
    conversation_id: str
    token: str = Field(
        description="The visitor's secret for this conversation. Keep it; it is shown once."
    )
    language: str


class PostFeedback(BaseModel):
    """ "Did this help?" under an answer from the shop's pages: a yes or a no, never text."""

    model_config = ConfigDict(extra="forbid")

    message_id: uuid.UUID
    helpful: bool


class PostMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        default="", max_length=4000, description="May be empty when the message sends files."
    )
    client_id: str | None = ClientId
    intent: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{1,63}$",
        description="Set when the customer clicked a quick reply that names an intent.",
    )
    attachments: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=10,
        description="Files uploaded to this conversation (`POST …/attachments`) to send with "
        "this message.",
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return clean_text(v)

    @model_validator(mode="after")
    def _something(self) -> PostMessage:
        if not self.text and not self.attachments:
            raise ValueError("the text is empty")
        return self


class AttachmentOut(BaseModel):
    """A file as messages carry it."""

    id: str
    name: str
    type: str = Field(description="image/jpeg, image/png, image/webp or application/pdf.")
    size: int = Field(description="Bytes, as kept (after a photo is re-encoded).")
    thumbnail: bool = Field(description="Whether `…/attachments/{id}/thumbnail` has a preview.")


class AttachmentUploaded(BaseModel):
    attachment: AttachmentOut


class MessageOut(BaseModel):
    id: str
    cursor: int = Field(
        description="Position in the conversation; pass the last one seen as `after`."
    )
    author: Literal["visitor", "bot", "agent", "system"]
    agent_name: str | None = None
    text: str
    payload: dict[str, Any] | None = None
    client_id: str | None = None
    created_at: datetime


class TurnOut(BaseModel):
    message: MessageOut
    replies: list[MessageOut]
    state: str
    language: str
    duplicate: bool = Field(
        description="True when this `client_id` was seen before and the first result is returned."
    )


class MessagesOut(BaseModel):
    messages: list[MessageOut]
    cursor: int = Field(description="The cursor of the last message returned (or `after` if none).")
    state: str
    language: str
    more: bool = Field(description="True when more messages follow; ask again with `after=cursor`.")


class ConversationOut(BaseModel):
    conversation_id: str
    language: str
    state: str
    cursor: int
    created_at: datetime
