"""The JSON shapes of messages and live events, shared by the HTTP API, the websocket and the hub."""

from __future__ import annotations

from typing import Any

from samtale.model import Message


def message_dict(msg: Message, agent_name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(msg.id),
        "cursor": msg.seq,
        "author": msg.author,
        "agent_name": agent_name,
        "text": msg.text,
        "payload": msg.payload,
        "client_id": msg.client_id,
        "created_at": msg.created_at.isoformat(),
    }


def message_event(msg: Message, agent_name: str | None = None) -> dict[str, Any]:
    return {"type": "message", "message": message_dict(msg, agent_name)}


def state_event(state: str, **extra: Any) -> dict[str, Any]:
    return {"type": "state", "state": state, **extra}


def typing_event(author: str, typing: bool, name: str | None = None) -> dict[str, Any]:
    return {"type": "typing", "author": author, "typing": typing, "name": name}
