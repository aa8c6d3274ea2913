"""The error answers the sandbox gives, as DigitalOcean shapes them: `{id, message, request_id}`."""

from __future__ import annotations

import httpx

__all__ = [
    "ApiProblem",
    "DroppedConnection",
    "InjectedTimeout",
    "NotFound",
    "Unauthorized",
    "Unprocessable",
]


class ApiProblem(Exception):
    """A request the sandbox answers with an error status; `message` is what DigitalOcean would say."""

    status = 500
    error_id = "server_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(ApiProblem):
    status = 404
    error_id = "not_found"

    def __init__(self, message: str = "The resource you requested could not be found.") -> None:
        super().__init__(message)


class Unprocessable(ApiProblem):
    status = 422
    error_id = "unprocessable_entity"


class Unauthorized(ApiProblem):
    status = 401
    error_id = "unauthorized"

    def __init__(self, message: str = "Unable to authenticate you.") -> None:
        super().__init__(message)


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised out of the ASGI app to drop the connection without an answer.

    Through `httpx.ASGITransport` the client receives this very exception (an `httpx.RemoteProtocolError`,
    so an `httpx.TransportError`), just as httpx reports a server that hung up. Through uvicorn the
    sandbox first sends the status line and headers, then raises: uvicorn closes the socket and the
    client's httpx raises `RemoteProtocolError` ("peer closed connection without sending complete
    message body"). Either way no usable answer arrives.
    """

    def __init__(self, detail: str = "sandbox dropped the connection (injected fault)") -> None:
        super().__init__(detail)


class InjectedTimeout(httpx.ReadTimeout):
    """Raised out of the ASGI app when an injected timeout fires.

    `httpx.ASGITransport` enforces no timeouts, so the sandbox raises the `httpx.ReadTimeout` the client
    would have raised itself. Through uvicorn the request hangs for the fault's `hang` seconds first: set
    it above the client's read timeout and the client's own `ReadTimeout` fires.
    """

    def __init__(self, detail: str = "sandbox never answered (injected timeout)") -> None:
        super().__init__(detail)
