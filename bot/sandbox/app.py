"""The sandbox as an ASGI app: DigitalOcean's Managed Databases API, in memory, with fault injection.

Every request passes one outer layer (outside even Starlette's error middleware, so that it can drop
connections): it gives the request an id, counts it against the rate limit, records it in `state.calls`,
applies `state.latency` and the armed faults, checks the bearer token, then lets the routes answer. Every
answer carries `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset` and `x-request-id`.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiProblem, DroppedConnection, InjectedTimeout
from .faults import Fault, FaultKind, default_error_id, default_message
from .routes import build_routes
from .state import SANDBOX_TOKEN, Call, RateLimitWindow, SandboxState

__all__ = ["SandboxApp", "create_app"]

log = logging.getLogger(__name__)

UNKNOWN_OPERATION = "unknown"
_NO_ANSWER = (FaultKind.DROP, FaultKind.TIMEOUT)


def create_app(state: SandboxState | None = None, *, token: str = SANDBOX_TOKEN) -> Starlette:
    """A sandbox app over `state` (a fresh seeded one if None) that accepts `Bearer <token>`.

    Cheap and synchronous: safe to call at import or start-up time. `token` becomes `state.token`.
    """
    state = state if state is not None else SandboxState.seeded()
    state.token = token
    return SandboxApp(state)


class SandboxApp(Starlette):
    """Starlette with the sandbox's outer layer wrapped around its whole middleware stack."""

    def __init__(self, state: SandboxState) -> None:
        self._sandbox = state
        super().__init__(
            routes=build_routes(state),
            exception_handlers={
                ApiProblem: _problem_handler,
                HTTPException: _http_exception_handler,
                Exception: _crash_handler,
            },
        )

    @property
    def sandbox(self) -> SandboxState:
        return self._sandbox

    def build_middleware_stack(self) -> ASGIApp:
        return _SandboxLayer(super().build_middleware_stack(), self._sandbox, self.router.routes)


# ---- error answers --------------------------------------------------------------------------------


def error_body(error_id: str, message: str, request_id: str) -> dict[str, str]:
    return {"id": error_id, "message": message, "request_id": request_id}


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or str(uuid.uuid4())


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return JSONResponse(error_body(exc.error_id, exc.message, _request_id(request)), status_code=exc.status)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = error_body("not_found", "The resource you requested could not be found.", _request_id(request))
    elif exc.status_code == 405:
        message = f"The {request.method} method is not allowed on {request.url.path}."
        body = error_body("method_not_allowed", message, _request_id(request))
    else:
        body = error_body(default_error_id(exc.status_code), str(exc.detail), _request_id(request))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _crash_handler(request: Request, exc: Exception) -> Response:
    log.error("sandbox bug while answering %s %s", request.method, request.url.path, exc_info=exc)
    body = error_body("server_error", "Unexpected server-side error", _request_id(request))
    return JSONResponse(body, status_code=500)


# ---- the outer layer ------------------------------------------------------------------------------


def resolve_operation(routes: list[BaseRoute], scope: Scope) -> str:
    """The operation name of the route that will answer this request (or `unknown`)."""
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "name", UNKNOWN_OPERATION))
    return UNKNOWN_OPERATION


def _rate_headers(window: RateLimitWindow) -> list[tuple[bytes, bytes]]:
    return [
        (b"ratelimit-limit", str(window.limit).encode()),
        (b"ratelimit-remaining", str(window.remaining).encode()),
        (b"ratelimit-reset", str(window.reset).encode()),
    ]


class _SandboxLayer:
    def __init__(self, app: ASGIApp, state: SandboxState, routes: list[BaseRoute]) -> None:
        self.app = app
        self.state = state
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        method, path = str(scope["method"]), str(scope["path"])
        operation = resolve_operation(self.routes, scope)
        window, over_limit = state.count_request()
        plan = state.faults.take(method, path, operation)
        fault = plan.fault
        delay = state.latency + plan.latency
        if delay > 0:
            await state.sleep(delay)

        def record(status: int | None, *, applied: bool = False) -> None:
            state.record(
                Call(
                    method=method,
                    path=path,
                    operation=operation,
                    status=status,
                    request_id=request_id,
                    query=bytes(scope.get("query_string", b"")).decode("latin-1"),
                    fault=fault.kind if fault is not None else None,
                    applied=applied,
                )
            )

        if fault is not None and fault.kind in _NO_ANSWER:
            applied = False
            if fault.apply:
                status = await self._serve(scope, receive, _discard, window, over_limit, request_id)
                applied = status < 400
            record(None, applied=applied)
            if fault.kind is FaultKind.TIMEOUT and fault.hang > 0:
                await state.sleep(fault.hang)
            log.info("sandbox: %s %s -> no answer (%s, applied=%s)", method, path, fault.kind, applied)
            # Start an answer that never completes: uvicorn then closes the socket mid-answer, while
            # httpx.ASGITransport hands the exception itself to the client.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
                }
            )
            if fault.kind is FaultKind.TIMEOUT:
                raise InjectedTimeout()
            raise DroppedConnection()

        if fault is not None:
            status = await self._send_fault(fault, send, window, request_id)
        else:
            status = await self._serve(scope, receive, send, window, over_limit, request_id)
        record(status)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        window: RateLimitWindow,
        over_limit: bool,
        request_id: str,
    ) -> int:
        """Answer as DigitalOcean would: rate limit, then auth, then the routes. Returns the status."""
        if over_limit:
            return await self._send_json(
                send,
                429,
                error_body("too_many_requests", "API Rate limit exceeded.", request_id),
                [*_rate_headers(window), (b"x-request-id", request_id.encode())],
            )
        if not self._authorized(scope):
            return await self._send_json(
                send,
                401,
                error_body("unauthorized", "Unable to authenticate you.", request_id),
                [*_rate_headers(window), (b"x-request-id", request_id.encode())],
            )
        status = 500
        extra = [*_rate_headers(window), (b"x-request-id", request_id.encode())]

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
        return status

    def _authorized(self, scope: Scope) -> bool:
        header = b""
        for key, value in scope.get("headers", []):
            if key.lower() == b"authorization":
                header = bytes(value)
                break
        scheme, _, credentials = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return False
        return hmac.compare_digest(credentials.strip().encode(), self.state.token.encode())

    async def _send_fault(self, fault: Fault, send: Send, window: RateLimitWindow, request_id: str) -> int:
        headers = [*_rate_headers(window), (b"x-request-id", request_id.encode())]
        if fault.kind is FaultKind.RATE_LIMIT:
            reset = int(self.state.clock() + fault.reset_in)
            headers = [
                (b"ratelimit-limit", str(window.limit).encode()),
                (b"ratelimit-remaining", b"0"),
                (b"ratelimit-reset", str(reset).encode()),
                (b"x-request-id", request_id.encode()),
            ]
            if fault.retry_after is not None:
                headers.append((b"retry-after", str(fault.retry_after).encode()))
            body = error_body("too_many_requests", "API Rate limit exceeded.", request_id)
            return await self._send_json(send, 429, body, headers)
        if fault.kind is FaultKind.NOT_JSON:
            content = fault.body.encode()
            headers += [
                (b"content-type", fault.content_type.encode()),
                (b"content-length", str(len(content)).encode()),
            ]
            await send({"type": "http.response.start", "status": fault.status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return fault.status
        error_id = fault.error_id or default_error_id(fault.status)
        message = fault.message or default_message(fault.status)
        return await self._send_json(send, fault.status, error_body(error_id, message, request_id), headers)

    @staticmethod
    async def _send_json(
        send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
    ) -> int:
        content = json.dumps(body).encode()
        all_headers = [
            *headers,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": all_headers})
        await send({"type": "http.response.body", "body": content})
        return status


async def _discard(message: Message) -> None:
    """Where an applied-then-lost answer goes: nowhere."""
