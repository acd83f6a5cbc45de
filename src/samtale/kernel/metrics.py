"""Prometheus metrics. Each app owns a registry, so several servers in one process (tests)
count separately.

Worker processes of one server (`samtale serve --workers N`) answer `/metrics` on one port, so a
scrape reaches any one of them: each answer must be the whole server's, not one worker's (a
counter that jumps between workers' totals is useless to `rate()`). The supervisor runs them in
prometheus_client's multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`: every process writes its
values to files in that folder), and any worker answers with the sum over all of them. Gauges
say how they combine: open websockets add up over the living workers; the queue length is the
one counted last.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # Set (by the supervisor of several workers) before this process made any metric.
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_DIR) or None
        self.requests = Counter(
            "samtale_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "samtale_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.websockets = Gauge(
            "samtale_open_websockets",
            "Open websockets",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.messages = Counter(
            "samtale_messages_total", "Messages stored", ["author"], registry=self.registry
        )
        self.bot_outcomes = Counter(
            "samtale_bot_outcomes_total", "Bot turn outcomes", ["outcome"], registry=self.registry
        )
        self.queue_length = Gauge(
            "samtale_queue_length",
            "Conversations waiting for a person (as last counted by this instance)",
            ["tenant"],
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )
        self.rate_limited = Counter(
            "samtale_rate_limited_total",
            "Requests refused by a rate limit",
            ["limit"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text `/metrics` answers: this process's registry, or with several workers the
        sum over every worker's values."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        return generate_latest(registry)
