"""A circuit breaker: stop calling a shop's system that keeps failing, try again later.

Closed: calls go through; `failure_threshold` failures in a row open it. Open: calls are
refused at once (no waiting on a system that is down) until `reset_seconds` have passed. Then
half-open: one call is let through as a trial — success closes the circuit, failure opens it
for another `reset_seconds`. Time comes from the injected clock.
"""

from __future__ import annotations

from samtale.kernel.clock import Clock, SystemClock


class CircuitBreaker:
    def __init__(
        self, failure_threshold: int = 5, reset_seconds: float = 30.0, clock: Clock | None = None
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.clock = clock or SystemClock()
        self.failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self.clock.now().timestamp() - self._opened_at >= self.reset_seconds:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go out now? (In half-open state, only one at a time.)"""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial:
            self._trial = True
            return True
        return False

    def success(self) -> None:
        self.failures = 0
        self._opened_at = None
        self._trial = False

    def failure(self) -> None:
        self.failures += 1
        if self._trial or self.failures >= self.failure_threshold:
            self._opened_at = self.clock.now().timestamp()
        self._trial = False
