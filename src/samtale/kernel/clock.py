"""Time and randomness, injected so that retention, queues and opening hours are tested
without sleeping and ids are reproducible where a test needs them."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, `samtale purge --now`)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class IdSource(Protocol):
    def uuid(self) -> uuid.UUID: ...

    def token(self, nbytes: int = 32) -> str: ...


class RandomIds:
    def uuid(self) -> uuid.UUID:
        return uuid.uuid4()

    def token(self, nbytes: int = 32) -> str:
        return secrets.token_urlsafe(nbytes)


def as_utc(value: datetime) -> datetime:
    """Datetimes read back from SQLite are naive; they were written in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
