"""Factories the server calls: the Slack Web API client, the bolt app, and the Starlette ASGI app.

client = make_web_client(settings)
notifier = SlackNotifier(client, notify_channels=policy.notify_channels)
engine = ApprovalEngine(store, ops, policy, SlackGroups(client), notifier=notifier)
bolt = build_slack_app(settings, engine, ops, client=client, notifier=notifier)
asgi = build_asgi(bolt)          # POST /slack/events, GET /healthz; add routes with extra_routes=
...
await deps_of(bolt).drain()      # on shutdown: background tasks, then the Slack updates they queued
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.slack.adapters.notifier import SlackNotifier
from bot.slack.adapters.workspace import OwnWorkspace
from bot.slack.deps import Reads, SlackDeps
from bot.slack.gate import MAX_BODY_BYTES, SlackGate
from bot.slack.listeners.approvals import register_approvals
from bot.slack.listeners.commands import register_commands
from bot.slack.listeners.dbops_command import register_dbops
from bot.slack.listeners.home import register_home
from bot.slack.listeners.incidents import register_incidents
from bot.slack.listeners.modals import register_modals
from bot.slack.listeners.request_again import register_request_again
from bot.slack.listeners.revert import register_revert
from bot.slack.tasks import TaskRegistry
from bot.workflow import ApprovalEngine

__all__ = ["EVENTS_PATH", "build_asgi", "build_slack_app", "make_web_client"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"

# bolt's own lines (e.g. a rejected signature, which it logs with the whole request body) stay under the
# `slack_bolt` logger, which `bot.logs` keeps at WARNING.
_BOLT_LOG = logging.getLogger("slack_bolt.dbops")


def make_web_client(settings: Settings, *, timeout: int = 10) -> AsyncWebClient:
    """The Web API client at `SLACK_API_URL`, retrying on connection errors and Slack's rate limits."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


async def _skip_retries(req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
    """Slack redelivers (X-Slack-Retry-Num) an event it saw no 2xx answer to. A retry whose reason is
    `http_error` follows an answer that was not 2xx, and every such answer of the bot (503 while `bots.info`
    fails, 403, 401, 413, a listener that failed before its ack) means nothing was done: it is processed.
    Any other reason (`http_timeout`…) may follow a delivery still at work: ack it and do nothing twice."""
    retry = req.headers.get("x-slack-retry-num")
    if retry:
        reason = (req.headers.get("x-slack-retry-reason") or [""])[0]
        if reason == "http_error":
            log.info("processing Slack's retry %s: the bot did not accept the first delivery", retry[0])
            return await next()
        log.info("ignoring Slack's retry %s (%s) of a request already received", retry[0], reason or "-")
        return BoltResponse(status=200, body="")
    return await next()


async def _keep_the_ack(error: Exception, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
    """A listener that failed after acking still answers Slack with its ack (bolt would send a 500)."""
    log.error("a Slack listener failed: %r", error, exc_info=error)
    acked = request.context.ack.response
    if acked is not None and response is not None:
        response.status, response.body, response.headers = acked.status, acked.body, acked.headers


def build_slack_app(
    settings: Settings,
    engine: ApprovalEngine,
    reads: Reads,
    *,
    client: AsyncWebClient | None = None,
    notifier: SlackNotifier | None = None,
    tasks: TaskRegistry | None = None,
    submit_budget: float = 2.5,
) -> AsyncApp:
    """The bolt app with every listener; `app.dbops` (a `SlackDeps`) holds the task registry to drain."""
    client = client or make_web_client(settings)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    if settings.socket_mode:
        # Socket Mode: Slack's payloads arrive over the app-token WebSocket, unsigned; no HTTP endpoint.
        app = AsyncApp(
            client=client, logger=_BOLT_LOG, signing_secret=secret, request_verification_enabled=False
        )
    elif not secret.strip():
        raise ValueError("SLACK_SIGNING_SECRET is not set; Slack's requests could not be verified")
    else:
        # Every listener acks and hands its work to the task registry, so bolt may answer Slack as soon as
        # the listener returns, instead of polling for the ack every 10 ms while background work competes
        # for the event loop (measured in docs/PERFORMANCE.md).
        app = AsyncApp(client=client, logger=_BOLT_LOG, signing_secret=secret, process_before_response=True)
    deps = SlackDeps(
        engine=engine,
        reads=reads,
        tasks=tasks or TaskRegistry(),
        notifier=notifier or SlackNotifier(client, notify_channels=engine.policy.notify_channels),
        submit_budget=submit_budget,
        signing_secret=secret,
    )
    app.middleware(_skip_retries)
    app.error(_keep_the_ack)
    own_workspace = OwnWorkspace()

    async def _only_own_workspace(
        req: AsyncBoltRequest, context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        return await own_workspace(req, context, next)

    app.middleware(_only_own_workspace)
    register_commands(app, deps)
    register_approvals(app, deps)
    register_modals(app, deps)
    register_incidents(app, deps)
    register_dbops(app, deps)
    register_home(app, deps)
    register_request_again(app, deps)
    register_revert(app, deps)
    app.dbops = deps  # type: ignore[attr-defined]
    return app


def deps_of(app: AsyncApp) -> SlackDeps:
    deps = getattr(app, "dbops", None)
    assert isinstance(deps, SlackDeps), "not an app made by build_slack_app"
    return deps


async def _healthz(_: HttpRequest) -> Response:
    return JSONResponse({"status": "ok"})


def build_asgi(
    bolt_app: AsyncApp,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    serve_events: bool = True,
    on_startup: Callable[[], Awaitable[None]] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
    observe_ack: Callable[[str, float], None] | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """Starlette serving `POST /slack/events` (commands, actions, views, options) and `GET /healthz`.

    Pass more routes (`/readyz`, `/metrics`) with `extra_routes`. `serve_events=False` leaves the Slack
    endpoint out (Socket Mode). `on_startup`/`on_shutdown` run in the server's lifespan; without an
    `on_shutdown`, the bolt tasks are drained when the server stops. `observe_ack(kind, seconds)` is told
    how long each Slack request took to answer. The Slack endpoint sits behind `SlackGate`: a body over
    `max_body` bytes gets 413 and an unsigned one 401, before anything is parsed.
    """
    handler = AsyncSlackRequestHandler(bolt_app)
    deps = deps_of(bolt_app)

    async def events(request: HttpRequest) -> Response:
        started = time.perf_counter()
        response = await handler.handle(request)
        if observe_ack is not None:
            observe_ack(_kind(await request.body()), time.perf_counter() - started)
        return response

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            await on_startup()
        yield
        if on_shutdown is not None:
            await on_shutdown()
        else:
            await deps.drain()

    routes: list[BaseRoute] = [Route("/healthz", _healthz, methods=["GET"]), *extra_routes]
    middleware: list[Middleware] = []
    if serve_events:
        routes.insert(0, Route(EVENTS_PATH, events, methods=["POST"]))
        # size and signature on the raw bytes, before bolt parses anything
        middleware.append(
            Middleware(SlackGate, path=EVENTS_PATH, signing_secret=deps.signing_secret, max_body=max_body)
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _kind(body: bytes) -> str:
    """What a Slack request is, from its raw form body, without parsing it again."""
    if b"command=" in body and not body.startswith(b"payload="):
        return "command"
    for marker, kind in (
        (b"block_actions", "action"),
        (b"view_submission", "view"),
        (b"block_suggestion", "options"),
        (b"view_closed", "view"),
    ):
        if marker in body:
            return kind
    return "other"
