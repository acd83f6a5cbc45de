"""Routing: which agents a queued conversation should go to.

Agents who are online (their console has sent a heartbeat within `PRESENCE_TTL` and they chose
"online") and below their capacity fit; among them, those who speak the conversation's language
come first, then the least busy (by share of capacity, then by count). Automatic assignment takes
the first; the console highlights the conversations an agent fits best and rings for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Three missed heartbeats (the console beats every 20 seconds) and an agent counts as offline.
PRESENCE_TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class AgentLoad:
    user_id: uuid.UUID
    name: str
    role: str
    languages: tuple[str, ...]
    capacity: int
    active: int
    status: str  # online | away | offline, after the heartbeat expiry
    chosen: str = "offline"  # what the agent chose (their console may be gone)
    last_seen_at: datetime | None = None
    conversations: tuple[uuid.UUID, ...] = field(default_factory=tuple)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": str(self.user_id),
            "name": self.name,
            "role": self.role,
            "languages": list(self.languages),
            "capacity": self.capacity,
            "active": self.active,
            "status": self.status,
        }


def effective_status(chosen: str | None, last_seen_at: datetime | None, now: datetime) -> str:
    if not chosen or chosen == "offline" or last_seen_at is None:
        return "offline"
    return chosen if now - last_seen_at <= PRESENCE_TTL else "offline"


def fitting(agents: list[AgentLoad], language: str | None) -> list[AgentLoad]:
    """The agents who can take a conversation in `language` now, best first."""
    ready = [a for a in agents if a.status == "online" and a.free > 0]
    return sorted(
        ready,
        key=lambda a: (
            0 if language and language in a.languages else 1,
            a.active / max(1, a.capacity),
            a.active,
            str(a.user_id),
        ),
    )


def pick(agents: list[AgentLoad], language: str | None) -> AgentLoad | None:
    best = fitting(agents, language)
    return best[0] if best else None


def estimate_wait(position: int, recent_wait_seconds: float, agents_online: int) -> int:
    """Seconds until a person answers: every customer ahead (and this one) takes about the
    recent average wait, shared among the agents online. At least half a minute."""
    per_customer = recent_wait_seconds / max(1, agents_online)
    return int(max(30, round(per_customer * max(1, position) / 10) * 10))
