"""`/pool` and `/db`: parse, ack at once, then answer reads, open forms or submit changes in the background.

Reads answer through the command's `response_url` (ephemeral unless `public`); a change becomes a card in
the channel, or an ephemeral refusal saying what is wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops.errors import OpsError
from bot.slack.cards import post_card
from bot.slack.deps import SlackDeps
from bot.slack.listeners.modals import open_form
from bot.slack.parser import Help, OpenModal, Read, ReadKind, RequestChange, UsageError, parse
from bot.slack.renderers import messages
from bot.slack.renderers.errors import refusal
from bot.slack.renderers.listings import (
    Page,
    db_list_pages,
    pool_list_pages,
    pool_show_blocks,
    pool_show_text,
)
from bot.slack.renderers.mrkdwn import TEXT_LIMIT, clip, escape
from bot.workflow import ChannelNotAllowed, WorkflowError

__all__ = ["register_commands"]

log = logging.getLogger(__name__)


def register_commands(app: AsyncApp, deps: SlackDeps) -> None:
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        name = str(command.get("command", ""))
        try:
            parsed = parse(name, str(command.get("text", "")))
        except UsageError as error:
            # the problem may echo what was typed (9,000 characters): cut it, keep the usage whole
            problem = clip(escape(error.problem), TEXT_LIMIT - len(error.usage) - 1)
            await ack(text=f"{problem}\n{error.usage}")
            return
        if isinstance(parsed, Help):
            await ack(text=parsed.text)
            return
        user = str(command["user_id"])
        channel = str(command["channel_id"])
        if not isinstance(parsed, RequestChange):  # a change is checked (and its refusal audited) by submit
            try:
                deps.engine.check_channel(channel)
            except ChannelNotAllowed as refused:  # names only the policy's channel IDs, kept as links
                await ack(text=refusal(refused))
                return
        await ack()
        if isinstance(parsed, OpenModal):
            await open_form(
                deps,
                client,
                trigger_id=str(command["trigger_id"]),
                action=parsed.action,
                channel=channel,
                user=user,
                response_url=str(command.get("response_url") or "") or None,
            )
            return

        async def report(error: BaseException) -> None:
            await respond(text=messages.INTERNAL_ERROR, response_type="ephemeral")

        if isinstance(parsed, Read):
            deps.tasks.spawn(
                _read(deps, parsed, respond), name=f"{name} read for {user}", on_error=report, person=user
            )
        elif isinstance(parsed, RequestChange):
            deps.tasks.spawn(
                _submit(deps, parsed, user, channel, client, respond),
                name=f"{name} for {user}",
                on_error=report,
                person=user,
            )

    app.command("/pool")(on_command)
    app.command("/db")(on_command)


async def _read(deps: SlackDeps, read: Read, respond: AsyncRespond) -> None:
    visibility = "in_channel" if read.public else "ephemeral"
    try:
        if read.kind is ReadKind.POOL_LIST:
            pages = pool_list_pages(await deps.reads.list_pools(read.cluster))
        elif read.kind is ReadKind.POOL_SHOW:
            view = await deps.reads.show_pool(read.cluster, read.name or "")
            pages = [Page(pool_show_text(view), pool_show_blocks(view))]
        else:
            cluster = await deps.reads.resolve_cluster(read.cluster)
            pages = db_list_pages(cluster.name, await deps.reads.list_databases(cluster.id))
    except OpsError as error:
        await respond(text=refusal(error), response_type="ephemeral")
        return
    for page in pages:  # a long listing comes in several answers, in order
        await respond(text=page.text, blocks=[b.to_dict() for b in page.blocks], response_type=visibility)


async def _submit(
    deps: SlackDeps,
    parsed: RequestChange,
    user: str,
    channel: str,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    try:
        request = await deps.engine.submit(parsed.change, user, channel, emergency=parsed.emergency)
    except WorkflowError as refused:
        await respond(text=refusal(refused), response_type="ephemeral")
        return
    if await post_card(deps, client, request, respond=respond) and request.is_emergency:
        await deps.notifier.announce_emergency(await deps.engine.get(request.id))
