"""Fault injection: make the next N matching requests (or all of them) fail the way DigitalOcean can.

Each fault matches by HTTP method, by a path glob (`fnmatch`, e.g. `/v2/databases/*/pools/*`) and/or by
operation name (`add_pool`, `update_pool`, … as in `bot.sandbox.OPERATIONS`); a fault with no criteria
matches every request. `times=None` keeps a fault forever; otherwise it is used up after `times` hits.

For one request, every matching `latency` fault adds its delay, then the first matching fault of any
other kind decides the answer:

- `rate_limit`: 429 `too_many_requests`, `ratelimit-remaining: 0`, `ratelimit-reset` = now + `reset_in`
  (epoch seconds from the state's clock), plus `retry-after` when given (a burst limit).
- `status`: any error status with DigitalOcean's JSON error body (5xx, or 401 as after a token rotation).
- `not_json`: an error status whose body is not JSON (a load balancer's HTML 502 page by default).
- `drop`: the connection is dropped without an answer (see `errors.DroppedConnection`). With
  `apply=True` the write is applied first: the "did it happen?" case reconcile must handle.
- `timeout`: no answer within the client's timeout (see `errors.InjectedTimeout`), optionally after
  applying the write.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import TypedDict, Unpack

__all__ = ["DEFAULT_HTML_502", "Fault", "FaultKind", "Faults", "Where"]

DEFAULT_HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)

_ERROR_IDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
_MESSAGES = {
    401: "Unable to authenticate you.",
    403: "You do not have access for the attempted action.",
    429: "API Rate limit exceeded.",
    503: "The service is temporarily unavailable, please try again later.",
}


def default_error_id(status: int) -> str:
    return _ERROR_IDS.get(status, "server_error" if status >= 500 else "error")


def default_message(status: int) -> str:
    return _MESSAGES.get(status, "Unexpected server-side error" if status >= 500 else "Request failed.")


class FaultKind(StrEnum):
    LATENCY = "latency"
    RATE_LIMIT = "rate_limit"
    STATUS = "status"
    NOT_JSON = "not_json"
    DROP = "drop"
    TIMEOUT = "timeout"


@dataclass(eq=False)
class Fault:
    """One injected failure. Build it with the `Faults` helpers rather than by hand."""

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    operation: str | None = None
    times: int | None = 1
    status: int = 500
    error_id: str | None = None
    message: str | None = None
    body: str = DEFAULT_HTML_502
    content_type: str = "text/html"
    reset_in: float = 60.0
    retry_after: int | None = None
    latency: float = 0.0
    apply: bool = False
    hang: float = 0.0
    hits: int = 0

    def matches(self, method: str, path: str, operation: str) -> bool:
        if self.exhausted:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and not fnmatchcase(path, self.path):
            return False
        return self.operation is None or self.operation == operation

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.hits)


class Where(TypedDict, total=False):
    """Which requests a fault answers, and how many times (every helper takes these keywords)."""

    method: str | None
    path: str | None
    operation: str | None
    times: int | None


@dataclass(frozen=True)
class FaultPlan:
    """What the faults decided for one request: extra delay, and the fault that answers it (if any)."""

    latency: float = 0.0
    fault: Fault | None = None


class Faults:
    """The faults armed on one sandbox. Thread-safe; every helper returns the `Fault` it armed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for fault in self._faults if not fault.exhausted)

    @property
    def armed(self) -> list[Fault]:
        """Faults that still have hits left, in the order they were added."""
        with self._lock:
            return [fault for fault in self._faults if not fault.exhausted]

    def add(self, fault: Fault) -> Fault:
        if fault.times is not None and fault.times < 1:
            raise ValueError("a fault must apply at least once (or times=None for always)")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str, operation: str) -> FaultPlan:
        """Use up the faults that match this request and say what they do to it."""
        latency = 0.0
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path, operation):
                    continue
                if fault.kind is FaultKind.LATENCY:
                    fault.hits += 1
                    latency += fault.latency
                elif chosen is None:
                    fault.hits += 1
                    chosen = fault
                    latency += fault.latency
            self._faults = [fault for fault in self._faults if not fault.exhausted]
        return FaultPlan(latency=latency, fault=chosen)

    # ---- helpers ---------------------------------------------------------------------------------

    def latency(self, seconds: float, **where: Unpack[Where]) -> Fault:
        """Delay matching requests by `seconds` (on top of `state.latency`); the answer is unchanged."""
        return self.add(Fault(FaultKind.LATENCY, **where, latency=seconds))

    def rate_limit(
        self, *, reset_in: float = 60.0, retry_after: int | None = None, **where: Unpack[Where]
    ) -> Fault:
        """429 with `ratelimit-reset` `reset_in` seconds ahead, and `retry-after` if given (burst limit)."""
        return self.add(
            Fault(
                FaultKind.RATE_LIMIT,
                **where,
                status=429,
                reset_in=reset_in,
                retry_after=retry_after,
            )
        )

    def status(
        self, status: int, *, message: str | None = None, error_id: str | None = None, **where: Unpack[Where]
    ) -> Fault:
        """Answer with `status` and DigitalOcean's JSON error body (nothing is applied)."""
        if not 400 <= status <= 599:
            raise ValueError(f"an injected error needs a 4xx or 5xx status, not {status}")
        return self.add(
            Fault(
                FaultKind.STATUS,
                **where,
                status=status,
                error_id=error_id,
                message=message,
            )
        )

    def server_error(self, status: int = 500, **where: Unpack[Where]) -> Fault:
        """A 5xx with DigitalOcean's JSON error body; the request is not applied."""
        if not 500 <= status <= 599:
            raise ValueError(f"a server error needs a 5xx status, not {status}")
        return self.status(status, **where)

    def unauthorized(self, **where: Unpack[Where]) -> Fault:
        """401 `Unable to authenticate you.` whatever token is sent (see also `state.rotate_token`)."""
        return self.status(401, **where)

    def not_json(
        self,
        status: int = 502,
        *,
        body: str = DEFAULT_HTML_502,
        content_type: str = "text/html",
        **where: Unpack[Where],
    ) -> Fault:
        """An answer whose body is not JSON (by default a proxy's HTML 502 page)."""
        return self.add(
            Fault(
                FaultKind.NOT_JSON,
                **where,
                status=status,
                body=body,
                content_type=content_type,
            )
        )

    def drop(self, *, apply: bool = False, **where: Unpack[Where]) -> Fault:
        """Drop the connection without an answer; with `apply=True` the write happens first."""
        return self.add(Fault(FaultKind.DROP, **where, apply=apply))

    def timeout(self, *, apply: bool = False, hang: float = 0.0, **where: Unpack[Where]) -> Fault:
        """Never answer in time: hang `hang` seconds, then give up (`errors.InjectedTimeout`)."""
        return self.add(Fault(FaultKind.TIMEOUT, **where, apply=apply, hang=hang))

    def apply_then_drop(self, **where: Unpack[Where]) -> Fault:
        """Apply the write, then drop the connection: the caller cannot know it happened."""
        return self.drop(apply=True, **where)

    def apply_then_timeout(self, *, hang: float = 0.0, **where: Unpack[Where]) -> Fault:
        """Apply the write, then never answer in time."""
        return self.timeout(apply=True, hang=hang, **where)
