"""Revert: `/dbops revert <request-id>` and the card's Revert button open a new request that undoes a
succeeded one (the engine's `revert`); its card is posted in the channel, its thread names the original."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.cards import post_card
from bot.slack.deps import SlackDeps, answer, clicked, reporter
from bot.slack.renderers.errors import refusal
from bot.slack.renderers.revert import reverts_line
from bot.workflow import WorkflowError

__all__ = ["open_revert", "register_revert"]

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

        async def work() -> None:
            try:  # the revert is asked where the original was (a click on the Home tab has no channel)
                channel = (await deps.engine.get(click.request_id)).channel
            except WorkflowError as refused:
                await say(refusal(refused))
                return
            await open_revert(deps, client, click.request_id, click.user, channel, say)

        deps.tasks.spawn(
            work(),
            name=f"revert {click.request_id} by {click.user}",
            on_error=reporter(deps, client, click),
            decision=True,
        )
