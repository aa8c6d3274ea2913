"""Errors from the DigitalOcean API, one class per kind of failure.

    DigitalOceanError
    ├── ApiError                 an HTTP answer with an error status ({id, message, request_id})
    │   ├── BadRequest           400: DigitalOcean's reason is in `message`
    │   ├── Unauthorized         401: the token was refused
    │   ├── Forbidden            403: the token lacks a scope
    │   ├── NotFound             404
    │   ├── Conflict             409: DigitalOcean's reason is in `message`
    │   ├── Unprocessable        422: DigitalOcean's reason is in `message`
    │   ├── RateLimited          429: `retry_after` seconds to wait
    │   ├── ServerError          5xx
    │   └── UnexpectedError      any other status, or a body that is not the documented JSON
    ├── TransportError           no answer at all (timeout, refused or dropped connection), safe to retry
    ├── OutcomeUnknown           a write was sent but no answer came back: it may or may not have happened
    └── UnsafeName               a name that cannot be one path segment (`..`, `.`, empty): nothing was sent

No exception ever carries the API token: only status, DigitalOcean's id, message and request_id.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "DigitalOceanError",
    "Forbidden",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnexpectedError",
    "Unprocessable",
    "UnsafeName",
    "error_for_status",
]


class DigitalOceanError(Exception):
    """Base of every DigitalOcean failure."""


class ApiError(DigitalOceanError):
    """DigitalOcean answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_id: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.error_id = error_id
        self.request_id = request_id
        self.method = method
        self.path = path
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f" ({self.method} {self.path})" if self.method and self.path else ""
        rid = f" [request_id {self.request_id}]" if self.request_id else ""
        return f"DigitalOcean answered {self.status}: {self.message}{where}{rid}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, error_id={self.error_id!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequest(ApiError):
    """400: DigitalOcean refused the request as malformed; its reason is in `message`."""


class Conflict(ApiError):
    """409: the request conflicts with the state of the resource (a busy cluster); reason in `message`."""


class Unauthorized(ApiError):
    """401: DigitalOcean refused the bot's token."""


class Forbidden(ApiError):
    """403: the token is valid but lacks the scope for this call."""


class NotFound(ApiError):
    """404: the cluster, database or pool does not exist (or the token cannot see it)."""


class Unprocessable(ApiError):
    """422: DigitalOcean rejected the request; its reason is in `message`."""


class RateLimited(ApiError):
    """429: the token's rate limit is spent; `retry_after` is how many seconds until it resets."""

    def __init__(self, status: int, message: str, *, retry_after: float, **kwargs: str | None) -> None:
        self.retry_after = retry_after
        super().__init__(status, message, **kwargs)


class ServerError(ApiError):
    """5xx: DigitalOcean failed."""


class UnexpectedError(ApiError):
    """Any other status, or an answer that is not DigitalOcean's documented JSON."""


class TransportError(DigitalOceanError):
    """No answer came back (timeout, connection refused or dropped)."""

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(f"No answer from DigitalOcean for {method} {path}: {reason}")


class OutcomeUnknown(DigitalOceanError):
    """A write was sent and no answer came back: DigitalOcean may or may not have applied it.

    Never repeat the write blindly: read the state back and decide (the service layer's reconcile).
    """

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(
            f"{method} {path} was sent but no answer came back ({reason}); "
            "whether it took effect must be read back from DigitalOcean"
        )


class UnsafeName(DigitalOceanError):
    """A name that cannot be sent as one path segment: it would change which endpoint is called.

    Raised before any request. `name` is the name as given; the message shows at most 60 characters of it.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        shown = name if len(name) <= 60 else name[:57] + "..."
        super().__init__(f"the name {shown!r} cannot be sent to DigitalOcean: {reason}")


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
}


def error_for_status(status: int) -> type[ApiError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 429:
        return RateLimited
    if 500 <= status <= 599:
        return ServerError
    return UnexpectedError
