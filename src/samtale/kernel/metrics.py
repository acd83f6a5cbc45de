"""Prometheus metrics. Each app owns a registry, so several servers in one process (tests)
count separately."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
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
            "samtale_open_websockets", "Open websockets", registry=self.registry
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
        )
        self.rate_limited = Counter(
            "samtale_rate_limited_total",
            "Requests refused by a rate limit",
            ["limit"],
            registry=self.registry,
        )
