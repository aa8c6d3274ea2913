"""Prometheus metrics: requests by action and state, DigitalOcean calls by status, ack and execution latency.

One registry per process (replicas are scraped separately). `GET /metrics` serves `render()`.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "dbops_requests_total",
            "Change requests entering each state, by action.",
            ["action", "state"],
            registry=self.registry,
        )
        self.do_calls = Counter(
            "dbops_digitalocean_calls_total",
            "DigitalOcean API calls by operation and HTTP status ('error' when no answer came).",
            ["operation", "status"],
            registry=self.registry,
        )
        self.ack_latency = Histogram(
            "dbops_slack_ack_seconds",
            "Time from receiving a Slack request to answering it, by kind.",
            ["kind"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.execution_latency = Histogram(
            "dbops_execution_seconds",
            "Time from claiming an approved request to recording its result, by action.",
            ["action"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_do_call(self, operation: str, status: str) -> None:
        """Fits `DigitalOceanClient(observer=...)`."""
        self.do_calls.labels(operation, status).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
