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
from bot.slack.adapters.home_tab import publish_home
from bot.slack.adapters.notifier import SlackNotifier
from bot.slack.renderers import messages
from bot.slack.renderers.errors import reply_for
from bot.slack.tasks import ErrorReporter, TaskRegistry
from bot.workflow import ApprovalEngine, WorkflowError

__all__ = [
    "Click",
    "Reads",
    "SlackDeps",
    "answer",
    "clicked",
    "form_reporter",
    "on_decision",
    "reporter",
    "spawn_click",
    "tell",
]

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
) -> bool:
    """An ephemeral note to one person; returns whether Slack took it (failures are logged: the person may
    have left the channel, or the bot is not in it). Without a channel it is a direct message."""
    try:
        if not channel:
            await client.chat_postMessage(channel=user, text=text)
        elif thread_ts:
            await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        else:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not send an ephemeral note to %s in %s: %r", user, channel, error)
        return False
    return True


@dataclass(frozen=True)
class Click:
    """Who clicked which request's button, and where: a channel message (perhaps inside a thread), or the
    App Home tab (no channel: Slack sends a `view` container, and the Messages tab is off, so a note there
    could not be read)."""

    request_id: str
    user: str
    channel: str
    thread_ts: str | None = None
    on_home: bool = False


def clicked(body: dict[str, Any]) -> Click:
    """The click of a `block_actions` payload, from the fields Slack sends (`container` says where)."""
    action = body["actions"][0]
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return Click(
        request_id=str(action["value"]),
        user=str(body["user"]["id"]),
        channel=str(channel),
        thread_ts=container.get("thread_ts") or None,
        on_home=container.get("type") == "view",
    )


async def answer(deps: SlackDeps, client: AsyncWebClient, click: Click, text: str | None) -> None:
    """Tell the person who clicked how it went, where they clicked: an ephemeral note in the channel (in
    the thread, for a message inside one), or on their Home tab, which is redrawn with the note on top."""
    if click.on_home:
        await publish_home(deps.engine, client, click.user, note=text)
    elif text:
        await tell(client, click.channel, click.user, text, thread_ts=click.thread_ts)


def reporter(deps: SlackDeps, client: AsyncWebClient, click: Click) -> ErrorReporter:
    """Tells the person privately that their click or form failed unexpectedly."""

    async def report(error: BaseException) -> None:
        await answer(deps, client, click, messages.INTERNAL_ERROR)

    return report


def form_reporter(client: AsyncWebClient, channel: str, user: str) -> ErrorReporter:
    """Tells the person privately that the form they asked for failed unexpectedly."""

    async def report(error: BaseException) -> None:
        await tell(client, channel, user, messages.INTERNAL_ERROR)

    return report


def spawn_click(
    deps: SlackDeps,
    client: AsyncWebClient,
    click: Click,
    decide: Callable[[], Awaitable[object]],
    *,
    name: str,
    done: str | None = None,
) -> None:
    """Run the engine's `decide` in the decision lane (never behind reads); a refusal is told to the person
    who clicked. A click on the Home tab redraws it afterwards, with `done` (or the refusal) on top."""

    async def work() -> None:
        try:
            await decide()
        except WorkflowError as refused:
            await answer(deps, client, click, reply_for(refused))
            return
        if click.on_home:
            await answer(deps, client, click, done)

    deps.tasks.spawn(work(), name=name, on_error=reporter(deps, client, click), decision=True)


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
        click = clicked(body)
        spawn_click(
            deps,
            client,
            click,
            lambda: decide(deps.engine, click.request_id, click.user),
            name=f"{verb} {click.request_id} by {click.user}",
        )

    app.action(action_id)(on_click)
