"""When a DigitalOcean call is tried again, and how long to wait first (tenacity does the looping).

- 429: the request was not processed, so any method may be repeated, after the wait DigitalOcean names
  (`retry-after` on a burst limit, else `ratelimit-reset`), as long as that wait is within the bound;
  never sooner than `rate_limit_floor` plus jitter (a reset already past, by clock skew, would
  otherwise be retried at once and refused again).
- 5xx (DigitalOcean's JSON or a proxy's HTML page), timeouts and dropped connections: GET, PUT and
  DELETE are repeated with capped exponential backoff and jitter. PUT replaces the whole pool and DELETE
  of a gone resource is detected, so both are safe to repeat.
- POST is repeated only when it provably never left (the connection could not be opened). Any other
  failure after sending is reported as an unknown outcome, never sent again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx
from tenacity import RetryCallState

from .errors import ApiError, RateLimited

__all__ = ["NOT_SENT", "RetryPolicy", "is_idempotent"]

# httpx failures that happen before a single byte of the request is sent.
NOT_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


def is_idempotent(method: str) -> bool:
    return method.upper() in _IDEMPOTENT


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How persistent the client is. The defaults suit an interactive bot: a few seconds at most."""

    attempts: int = 4
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.5
    max_rate_limit_wait: float = 60.0
    rate_limit_floor: float = 1.0

    def should_retry(self, method: str, error: BaseException) -> bool:
        if isinstance(error, RateLimited):
            return error.retry_after <= self.max_rate_limit_wait
        if isinstance(error, NOT_SENT):
            return True
        if not is_idempotent(method):
            return False
        # 5xx, including a proxy's HTML error page (an UnexpectedError): DigitalOcean did not answer.
        return isinstance(error, httpx.TransportError) or (
            isinstance(error, ApiError) and error.status >= 500
        )

    def wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited):
            return max(self.rate_limit_floor, error.retry_after) + random.uniform(0, self.jitter)
        # Capped exponential backoff with jitter: initial · 2^(n-1) + U(0, jitter), at most backoff_max.
        # (Computed here: tenacity's `wait_exponential_jitter` renamed its parameters within 9.x.)
        exponent = min(state.attempt_number - 1, 32)
        backoff = self.backoff_initial * 2.0**exponent + random.uniform(0, self.jitter)
        return min(backoff, self.backoff_max)
