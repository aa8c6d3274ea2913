"""What the listeners share: the engine, the service layer's reads, the task registry, the notifier."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops import Cluster, Database, DatabaseUser
from bot.ops.views import PoolListing, PoolView
from bot.workflow import ApprovalEngine, WorkflowError

from . import messages
from .mrkdwn import escape
from .notifier import SlackNotifier
from .tasks import ErrorReporter, TaskRegistry

__all__ = ["Reads", "SlackDeps", "clicked", "on_decision", "reporter", "spawn_click", "tell"]

log = logging.getLogger(__name__)


class Reads(Protocol):
    """The service layer's read side (`bot.ops.DatabaseOps` satisfies it)."""

    async def list_clusters(self) -> list[Cluster]: ...

    async def resolve_cluster(self, ref: str) -> Cluster: ...

    async def list_pools(self, ref: str) -> PoolListing: ...

    async def show_pool(self, ref: str, name: str) -> PoolView: ...

    async def list_databases(self, ref: str) -> list[Database]: ...

    async def list_users(self, ref: str) -> list[DatabaseUser]: ...


@dataclass
class SlackDeps:
    engine: ApprovalEngine
    reads: Reads
    tasks: TaskRegistry
    notifier: SlackNotifier
    submit_budget: float = 2.5  # seconds a form submission may wait for validation before Slack's 3 s
    options_budget: float = 2.5  # seconds an options load may wait for DigitalOcean
    signing_secret: str = field(default="", repr=False)  # HTTP mode: what the gate verifies requests with

    async def drain(self, timeout: float | None = 30.0) -> None:
        """At shutdown: finish the background work, then the Slack updates it queued."""
        await self.tasks.drain(timeout)
        await self.notifier.drain()


async def tell(
    client: AsyncWebClient, channel: str, user: str, text: str, *, thread_ts: str | None = None
) -> None:
    """An ephemeral note to one person; failures are logged (the person may have left the channel).
    Without a channel (a click on the App Home tab) it is a direct message from the bot."""
    try:
        if not channel:
            await client.chat_postMessage(channel=user, text=text)
        elif thread_ts:
            await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        else:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not send an ephemeral note to %s in %s: %r", user, channel, error)


def clicked(body: dict[str, Any]) -> tuple[str, str, str]:
    """(request id, user, channel) of a button click."""
    action = body["actions"][0]
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return str(action["value"]), str(body["user"]["id"]), str(channel)


def reporter(client: AsyncWebClient, channel: str, user: str) -> ErrorReporter:
    """Tells the person privately that their click or form failed unexpectedly."""

    async def report(error: BaseException) -> None:
        await tell(client, channel, user, messages.INTERNAL_ERROR)

    return report


def spawn_click(
    deps: SlackDeps,
    client: AsyncWebClient,
    channel: str,
    user: str,
    decide: Callable[[], Awaitable[object]],
    *,
    name: str,
) -> None:
    """Run the engine's `decide` in the decision lane (never behind reads); a refusal is told to the person
    who clicked."""

    async def work() -> None:
        try:
            await decide()
        except WorkflowError as refused:
            await tell(client, channel, user, escape(str(refused)))

    deps.tasks.spawn(work(), name=name, on_error=reporter(client, channel, user), decision=True)


def on_decision(
    app: AsyncApp,
    deps: SlackDeps,
    action_id: str,
    verb: str,
    decide: Callable[[ApprovalEngine, str, str], Awaitable[object]],
) -> None:
    """Listen for a button the engine decides from the request id and the clicker alone (Cancel, Stop…):
    ack, then `decide(engine, request_id, user)` in the background; a refusal is told privately."""

    async def on_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = clicked(body)
        spawn_click(
            deps,
            client,
            channel,
            user,
            lambda: decide(deps.engine, request_id, user),
            name=f"{verb} {request_id} by {user}",
        )

    app.action(action_id)(on_click)
