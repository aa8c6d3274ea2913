"""Revert: `/dbops revert <request-id>` and the card's Revert button open a new request that undoes a
succeeded one (the engine's `revert`); its card is posted in the channel, its thread names the original."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.cards import post_card
from bot.slack.deps import SlackDeps, answer, clicked, reporter, tell
from bot.slack.renderers.errors import refusal
from bot.slack.renderers.messages import CONFIRM_MISMATCH
from bot.slack.renderers.revert import revert_drop_form, reverts_line
from bot.workflow import WorkflowError

__all__ = ["open_revert", "register_revert", "start_revert"]


async def start_revert(
    deps: SlackDeps,
    client: AsyncWebClient,
    request_id: str,
    user: str,
    say: Callable[[str], Awaitable[None]],
    *,
    trigger_id: str,
    channel: str | None = None,
    respond: AsyncRespond | None = None,
) -> None:
    """The revert of `request_id`, asked in `channel` (default: the original's). A `db.create`'s revert is
    a drop: it first opens its typed confirmation (`trigger_id` lives 3 s), which then opens it."""
    try:
        original = await deps.engine.get(request_id.upper())
    except WorkflowError as refused:
        await say(refusal(refused))
        return
    where = channel or original.channel
    if original.action is Action.DB_CREATE:
        await client.views_open(trigger_id=trigger_id, view=revert_drop_form(original, where))
        return
    await open_revert(deps, client, original.id, user, where, say, respond)


log = logging.getLogger(__name__)


async def open_revert(
    deps: SlackDeps,
    client: AsyncWebClient,
    request_id: str,
    user: str,
    channel: str,
    say: Callable[[str], Awaitable[None]],
    respond: AsyncRespond | None = None,
) -> None:
    """Ask the engine for the revert of `request_id`; a refusal (past the window, stale…) is one
    sentence that `say` gives `user` only."""
    try:
        revert = await deps.engine.revert(request_id.upper(), user, channel)
    except WorkflowError as refused:
        await say(refusal(refused))
        return
    if not await post_card(deps, client, revert, respond=respond):
        return
    original = await deps.engine.get(revert.revert_of or request_id)
    posted = await deps.engine.get(revert.id)
    link = await deps.notifier.permalink(original) if original.card_ts else None
    try:
        await client.chat_postMessage(
            channel=str(posted.card_channel),
            thread_ts=posted.card_ts,
            text=reverts_line(original.id, link),
        )
    except SlackApiError as error:
        log.warning("could not link %s to %s: %r", revert.id, original.id, error)


def register_revert(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.REVERT)
    async def revert(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = clicked(body)

        async def say(text: str) -> None:
            await answer(deps, client, click, text)

        trigger = str(body.get("trigger_id") or "")
        deps.tasks.spawn(
            start_revert(deps, client, click.request_id, click.user, say, trigger_id=trigger),
            name=f"revert {click.request_id} by {click.user}",
            on_error=reporter(deps, client, click),
            decision=True,
        )

    @app.view(ids.MODAL_REVERT_DROP)
    async def confirmed(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        request_id, channel, user = str(meta["r"]), str(meta["c"]), str(body["user"]["id"])
        typed = (view["state"]["values"].get(ids.CONFIRM_BLOCK) or {}).get(ids.CONFIRM_INPUT) or {}
        original = await deps.engine.get(request_id)
        db = original.plan.target
        if typed.get("value") != db:
            await ack(response_action="errors", errors={ids.CONFIRM_BLOCK: CONFIRM_MISMATCH.format(db=db)})
            return
        await ack()

        async def say(text: str) -> None:
            await tell(client, channel, user, text)

        deps.tasks.spawn(
            open_revert(deps, client, request_id, user, channel, say),
            name=f"revert {request_id} by {user}",
            person=user,
        )
