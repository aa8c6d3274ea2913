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
from bot.workflow import WorkflowError

from . import messages
from .approvals import post_card
from .blocks import sentence
from .deps import SlackDeps
from .listings import (
    db_list_blocks,
    db_list_text,
    pool_list_blocks,
    pool_list_text,
    pool_show_blocks,
    pool_show_text,
)
from .modals import open_form
from .mrkdwn import escape
from .parser import Help, OpenModal, Read, ReadKind, RequestChange, UsageError, parse

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
            await ack(text=f"{escape(error.problem)}\n{error.usage}")
            return
        if isinstance(parsed, Help):
            await ack(text=parsed.text)
            return
        user = str(command["user_id"])
        channel = str(command["channel_id"])
        await ack()
        if isinstance(parsed, OpenModal):
            await open_form(
                deps,
                client,
                trigger_id=str(command["trigger_id"]),
                action=parsed.action,
                channel=channel,
                user=user,
            )
            return

        async def report(error: BaseException) -> None:
            await respond(text=messages.INTERNAL_ERROR, response_type="ephemeral")

        if isinstance(parsed, Read):
            deps.tasks.spawn(
                _read(deps, parsed, respond), name=f"{name} read for {user}", on_error=report, person=user
            )
        elif isinstance(parsed, RequestChange):
            channel_name = str(command.get("channel_name") or "") or None
            deps.tasks.spawn(
                _submit(deps, parsed, user, channel, client, respond, channel_name=channel_name),
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
            listing = await deps.reads.list_pools(read.cluster)
            text, blocks = pool_list_text(listing), pool_list_blocks(listing)
        elif read.kind is ReadKind.POOL_SHOW:
            view = await deps.reads.show_pool(read.cluster, read.name or "")
            text, blocks = pool_show_text(view), pool_show_blocks(view)
        else:
            cluster = await deps.reads.resolve_cluster(read.cluster)
            databases = await deps.reads.list_databases(cluster.id)
            text, blocks = db_list_text(cluster.name, databases), db_list_blocks(cluster.name, databases)
    except OpsError as error:
        await respond(
            text=messages.REFUSED.format(reason=escape(sentence(str(error)))), response_type="ephemeral"
        )
        return
    await respond(text=text, blocks=[b.to_dict() for b in blocks], response_type=visibility)


async def _submit(
    deps: SlackDeps,
    parsed: RequestChange,
    user: str,
    channel: str,
    client: AsyncWebClient,
    respond: AsyncRespond,
    *,
    channel_name: str | None = None,
) -> None:
    try:
        request = await deps.engine.submit(
            parsed.change, user, channel, emergency=parsed.emergency, channel_name=channel_name
        )
    except WorkflowError as refused:
        await respond(
            text=messages.REFUSED.format(reason=escape(sentence(str(refused)))), response_type="ephemeral"
        )
        return
    if await post_card(deps, client, request) and request.is_emergency:
        await deps.notifier.announce_emergency(await deps.engine.get(request.id))
