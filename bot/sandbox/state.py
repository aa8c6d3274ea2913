"""The sandbox's whole world in one object: the account's clusters, the calls made, the armed faults.

All reads and writes of the account go through `lock` (a re-entrant thread lock), so concurrent requests,
whether on one event loop or served by uvicorn in another thread, always see a consistent account.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import NotFound, Unprocessable
from .faults import FaultKind, Faults
from .model import ENGINE_LABELS, SandboxCluster, SandboxPool
from .seed import seed_clusters

__all__ = ["SANDBOX_TOKEN", "Call", "RateLimitWindow", "SandboxState"]

SANDBOX_TOKEN = "sandbox-token"  # noqa: S105 - the sandbox's public, fake token

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Call:
    """One request the sandbox received.

    `status` is None when no answer was given (dropped connection, timeout); `fault` names the injected
    fault that shaped the answer; `applied` says whether a write took effect even though no answer came.
    """

    method: str
    path: str
    operation: str
    status: int | None
    request_id: str
    query: str = ""
    fault: FaultKind | None = None
    applied: bool = False


@dataclass(frozen=True)
class RateLimitWindow:
    """The values of the `ratelimit-*` headers for one answer."""

    limit: int
    remaining: int
    reset: int


class SandboxState:
    """A DigitalOcean account in memory: `SandboxState()` is empty, `SandboxState.seeded()` the seed."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        clock: Clock = time.time,
        sleep: Sleep | None = None,
        rate_limit: int = 5000,
        enforce_rate_limit: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.clusters: dict[str, SandboxCluster] = {}
        self.calls: list[Call] = []
        self.faults = Faults()
        self.token = SANDBOX_TOKEN  # `create_app(state, token=…)` sets it; `rotate_token` changes it
        self.latency = latency  # seconds added before every answer
        self.clock = clock
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rate_limit = rate_limit
        self.enforce_rate_limit = enforce_rate_limit
        self._window: deque[float] = deque()

    @classmethod
    def seeded(
        cls,
        *,
        latency: float = 0.0,
        clock: Clock = time.time,
        sleep: Sleep | None = None,
        rate_limit: int = 5000,
        enforce_rate_limit: bool = False,
    ) -> SandboxState:
        state = cls(
            latency=latency,
            clock=clock,
            sleep=sleep,
            rate_limit=rate_limit,
            enforce_rate_limit=enforce_rate_limit,
        )
        for cluster in seed_clusters():
            state.add_cluster(cluster)
        return state

    def __repr__(self) -> str:  # never show the token
        counts = f"clusters={len(self.clusters)}, calls={len(self.calls)}, faults={len(self.faults)}"
        return f"SandboxState({counts})"

    # ---- setup helpers for tests and drills --------------------------------------------------------

    def add_cluster(self, cluster: SandboxCluster) -> SandboxCluster:
        """Put a cluster in the account as is (no validation: tests may build odd states on purpose)."""
        with self.lock:
            if cluster.id in self.clusters:
                raise ValueError(f"a cluster with id {cluster.id} is already in the sandbox")
            self.clusters[cluster.id] = cluster
        return cluster

    def add_pool(self, cluster_id: str, pool: SandboxPool) -> SandboxPool:
        """Put a pool on a cluster as is, bypassing the API's checks (e.g. to start over capacity)."""
        with self.lock:
            self.clusters[cluster_id].pools[pool.name] = pool
        return pool

    def find_cluster(self, name_or_id: str) -> SandboxCluster:
        """A cluster by id or name (KeyError if there is none)."""
        with self.lock:
            if name_or_id in self.clusters:
                return self.clusters[name_or_id]
            for cluster in self.clusters.values():
                if cluster.name == name_or_id:
                    return cluster
        raise KeyError(name_or_id)

    def rotate_token(self, new_token: str) -> None:
        """Accept only `new_token` from now on: calls with the old one get 401, as after a rotation."""
        if not new_token:
            raise ValueError("the new token must not be empty")
        with self.lock:
            self.token = new_token

    # ---- call recording ----------------------------------------------------------------------------

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    def calls_for(self, operation: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.operation == operation]

    def call_counts(self) -> Counter[str]:
        """How many requests each operation received (e.g. `{"list_pools": 2, "update_pool": 1}`)."""
        with self.lock:
            return Counter(call.operation for call in self.calls)

    # ---- rate limit headers ------------------------------------------------------------------------

    def count_request(self) -> tuple[RateLimitWindow, bool]:
        """Count one request against the hourly limit; True in the second item when it is over the limit.

        Like DigitalOcean, each request counts for one hour after it was made and `ratelimit-reset` is
        when the oldest counted request expires. Over the limit, a request is refused only when
        `enforce_rate_limit` is set (off by default, so long benchmarks never trip it by accident).
        """
        with self.lock:
            now = self.clock()
            while self._window and self._window[0] <= now - 3600:
                self._window.popleft()
            over = self.enforce_rate_limit and len(self._window) >= self.rate_limit
            if not over:
                self._window.append(now)
            return self.rate_window(), over

    def rate_window(self) -> RateLimitWindow:
        with self.lock:
            now = self.clock()
            oldest = self._window[0] if self._window else now
            return RateLimitWindow(
                limit=self.rate_limit,
                remaining=max(0, self.rate_limit - len(self._window)),
                reset=int(oldest + 3600),
            )

    # ---- lookups the API uses (call with `lock` held) ----------------------------------------------

    def cluster(self, cluster_id: str) -> SandboxCluster:
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise NotFound()
        return cluster

    def managed_cluster(self, cluster_id: str) -> SandboxCluster:
        """A cluster whose databases can be managed (not Caching/Valkey)."""
        cluster = self.cluster(cluster_id)
        if cluster.engine in ("redis", "valkey"):  # the spec's own words
            raise Unprocessable("Database management is not supported for Caching or Valkey clusters.")
        if not cluster.manages_databases:
            label = ENGINE_LABELS[cluster.engine]
            raise Unprocessable(f"Database management is not supported for {label} clusters.")
        return cluster

    def pg_cluster(self, cluster_id: str) -> SandboxCluster:
        cluster = self.cluster(cluster_id)
        if not cluster.is_postgres:
            raise Unprocessable("Connection pools are only supported on PostgreSQL clusters.")
        return cluster
