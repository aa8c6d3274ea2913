"""Every DigitalOcean call the service layer makes goes through `Calls`: counted, and its failures
turned into the service layer's errors, each with one sentence a user can read.

| DigitalOcean                     | read                     | write                    |
|----------------------------------|--------------------------|--------------------------|
| 400, 401, 403, 404, 409, 422, 429, other | `UpstreamFailure`        | `UpstreamFailure`        |
| 5xx                              | `UpstreamFailure`        | `OutcomeUnknownError`    |
| no answer                        | `UpstreamFailure`        | `OutcomeUnknownError`    |
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable
from typing import TypeVar

from bot.digitalocean import (
    ApiError,
    BadRequest,
    Conflict,
    DigitalOceanError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    TransportError,
    Unauthorized,
    Unprocessable,
    UnsafeName,
)

from .errors import InvalidRequest, OpsError, OutcomeUnknownError, UpstreamFailure

__all__ = ["Calls", "translate"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Calls:
    """Counts the DigitalOcean calls of one operation and translates their failures."""

    def __init__(self) -> None:
        self.count = 0

    async def read(self, what: str, call: Awaitable[T]) -> T:
        """Await a read; `what` names its object for a 404 ("pool web on prod-pg")."""
        return await self._run(what, call, doing=None)

    async def write(self, what: str, doing: str, call: Awaitable[T]) -> T:
        """Await a write; `doing` says what it does ("resizing pool web on prod-pg")."""
        return await self._run(what, call, doing=doing)

    async def _run(self, what: str, call: Awaitable[T], *, doing: str | None) -> T:
        self.count += 1
        try:
            return await call
        except DigitalOceanError as error:
            log.warning("digitalocean call failed: %r", error)
            raise translate(error, what=what, doing=doing) from error


def translate(error: DigitalOceanError, *, what: str, doing: str | None = None) -> OpsError:
    """The service-layer error for a DigitalOcean failure; `doing` is set for a write."""
    if isinstance(error, UnsafeName):  # refused before any request: nothing was sent
        return InvalidRequest(f"{what} cannot be addressed through DigitalOcean's API: {error.reason}")
    if doing is not None:
        if isinstance(error, OutcomeUnknown):
            return OutcomeUnknownError(
                f"DigitalOcean gave no answer while {doing}, so whether it took effect is unknown; "
                "the bot will read the state back to decide, never repeat it blindly"
            )
        if isinstance(error, ApiError) and error.status >= 500:
            return OutcomeUnknownError(
                f"DigitalOcean failed (HTTP {error.status}) while {doing}, so whether it took effect is "
                "unknown; the bot will read the state back to decide, never repeat it blindly",
                status=error.status,
                request_id=error.request_id,
            )
    if isinstance(error, RateLimited):
        wait = max(1, math.ceil(error.retry_after))
        unit = "second" if wait == 1 else "seconds"
        return _failure(error, f"DigitalOcean is rate limiting the bot; try again in {wait} {unit}")
    if isinstance(error, Unauthorized):
        return _failure(error, "DigitalOcean refused the bot's token")
    if isinstance(error, Forbidden):
        return _failure(error, "the bot's DigitalOcean token lacks the scope for this operation")
    if isinstance(error, NotFound):
        return _failure(error, f"DigitalOcean could not find {what}")
    if isinstance(error, Unprocessable | BadRequest | Conflict):
        return _failure(error, f"DigitalOcean refused the request: {error.message}")
    if isinstance(error, ApiError):
        if error.status >= 500:
            return _failure(error, f"DigitalOcean failed (HTTP {error.status}); try again in a moment")
        return _failure(error, f"DigitalOcean gave an unexpected answer (HTTP {error.status})")
    if isinstance(error, TransportError | OutcomeUnknown):
        return UpstreamFailure("DigitalOcean did not answer; try again in a moment", status=None)
    return UpstreamFailure("the call to DigitalOcean failed", status=None)


def _failure(error: ApiError, message: str) -> UpstreamFailure:
    return UpstreamFailure(
        message,
        status=error.status,
        error_id=error.error_id,
        request_id=error.request_id,
        retry_after=error.retry_after if isinstance(error, RateLimited) else None,
    )
