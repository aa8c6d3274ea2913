"""`python -m bot serve`: the bot on uvicorn, in HTTP mode or Socket Mode.

HTTP mode serves `POST /slack/events`; Socket Mode (when `SLACK_APP_TOKEN` is set) receives the same
payloads over Slack's WebSocket instead. Both serve `GET /healthz` (liveness), `GET /readyz` (store
reachable, policy loaded) and `GET /metrics` (Prometheus). On SIGTERM, in-flight executions finish, the
clients are closed and the process exits 0; a process killed outright leaves its requests `executing`, which
any replica's periodic recovery reconciles once their lease has passed.

The HTTP edge (docs/SECURITY.md): `HTTP_MAX_CONNECTIONS` at once (503 beyond), a 16 KiB request head, idle
keep-alive connections closed after 5 s, and a request that takes longer than `HTTP_REQUEST_TIMEOUT_SECONDS`
to arrive closed; `/slack/events` sits behind `bot.slack.gate` (1 MiB, signature before parsing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

import h11
import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.metrics import CONTENT_TYPE
from bot.runtime import Runtime
from bot.slack.app import build_asgi

__all__ = ["HEADER_LIMIT_BYTES", "KEEP_ALIVE_SECONDS", "build_server", "serve"]

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this long (uvicorn's own timer)
HEADER_LIMIT_BYTES = 16 * 1024  # a request head larger than this gets 400 (h11)


# Socket Mode envelope types (and, for `interactive`, payload types) → the `kind` label of ack latency.
_SOCKET_KINDS = {
    "slash_commands": "command",
    "block_actions": "action",
    "view_submission": "view",
    "view_closed": "view",
    "block_suggestion": "options",
}


class _SocketHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, timing each envelope from arrival to ack like the HTTP endpoint."""

    def __init__(
        self,
        app: AsyncApp,
        *,
        app_token: str,
        web_client: AsyncWebClient,
        observe: Callable[[str, float], None],
    ) -> None:
        super().__init__(app, app_token=app_token, web_client=web_client)
        self._observe = observe

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        await super().handle(client, req)
        kind = str(req.payload.get("type", "")) if req.type == "interactive" else req.type
        self._observe(_SOCKET_KINDS.get(kind, "other"), time.perf_counter() - started)


def build_server(runtime: Runtime, *, start_runtime: bool = True) -> Starlette:
    """The ASGI app for `runtime`: Slack endpoint (HTTP mode), health, readiness and metrics."""
    settings = runtime.settings
    socket: _SocketHandler | None = None

    def observe_ack(kind: str, seconds: float) -> None:
        runtime.metrics.ack_latency.labels(kind).observe(seconds)

    async def readyz(_: Request) -> Response:
        ok, detail = await runtime.ready()
        if ok and socket is not None and not await socket.client.is_connected():
            ok, detail = False, "Socket Mode is not connected to Slack"
        return JSONResponse({"ready": ok, "detail": detail}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(runtime.metrics.render(), media_type=CONTENT_TYPE)

    async def startup() -> None:
        nonlocal socket
        if start_runtime:
            await runtime.start()
        if settings.socket_mode and settings.slack_app_token is not None:
            socket = _SocketHandler(
                runtime.bolt,
                app_token=settings.slack_app_token.get_secret_value(),
                web_client=runtime.slack,
                observe=observe_ack,
            )
            await socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("connected to Slack over Socket Mode")

    async def shutdown() -> None:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        await runtime.stop()

    return build_asgi(
        runtime.bolt,
        extra_routes=[Route("/readyz", readyz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"])],
        serve_events=not settings.socket_mode,
        on_startup=startup,
        on_shutdown=shutdown,
        observe_ack=observe_ack,
    )


class _Server(uvicorn.Server):
    """uvicorn, but a SIGTERM or SIGINT that ends in a completed graceful shutdown exits with status 0.

    uvicorn re-raises the signal once it has shut down, so the process would die by it (status -15), and
    an orchestrator could not tell a clean stop from a crash.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(sig: int, _: FrameType | None) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C: stop waiting for in-flight work
            self.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _timed_protocol(request_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request (head and body) takes longer than
    `request_timeout` seconds to arrive. uvicorn itself times only idle keep-alive connections: a client
    that sends its head or body a byte at a time (slowloris) would otherwise hold its connection for ever."""

    class TimedProtocol(H11Protocol):
        _request_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._request_timer is None and self.conn.their_state is h11.IDLE:
                self._arm()  # the next request on a keep-alive connection begins
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
                self._disarm()  # the whole request is in (or the connection is closing)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._request_timer = self.loop.call_later(request_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._request_timer is not None:
                self._request_timer.cancel()
                self._request_timer = None

        def _too_slow(self) -> None:
            self._request_timer = None
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
                log.warning("closed a connection whose request took over %.0f s to arrive", request_timeout)
                self.transport.close()

    return TimedProtocol


def serve(runtime: Runtime, *, host: str, port: int) -> None:
    """Run until SIGINT/SIGTERM; uvicorn's graceful shutdown runs the app's lifespan shutdown."""
    settings = runtime.settings
    mode = "Socket Mode" if settings.socket_mode else f"HTTP on {host}:{port}"
    log.info("dbops serving (%s)", mode)
    config = uvicorn.Config(
        build_server(runtime),
        host=host,
        port=port,
        http=_timed_protocol(settings.http_request_timeout_seconds),
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=settings.http_max_connections,  # beyond it, uvicorn answers 503
        h11_max_incomplete_event_size=HEADER_LIMIT_BYTES,
        log_config=None,  # keep our structured logging
        access_log=False,
        timeout_graceful_shutdown=30,
    )
    _Server(config).run()
