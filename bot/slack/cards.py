"""Posting a new request's approval card: once, complete; the ts Slack returns is stored with the request."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps, tell
from bot.slack.renderers import messages
from bot.slack.renderers.blocks import card_blocks, card_text
from bot.slack.renderers.mrkdwn import escape
from bot.workflow import Request, WorkflowError

__all__ = ["post_card"]

log = logging.getLogger(__name__)


async def post_card(
    deps: SlackDeps,
    client: AsyncWebClient,
    request: Request,
    *,
    thread_ts: str | None = None,
    respond: AsyncRespond | None = None,
) -> bool:
    """Post the card of a new request in its channel and store its ts through the engine.

    When Slack refuses (not_in_channel, channel_not_found…), the request is cancelled so it holds no
    resource, and the requester is told why in an ephemeral note, or, where that fails like the card (a
    private channel, DM or group DM the bot is not in), through the command's `respond`. Returns whether
    the card is up.
    """
    try:
        response = await client.chat_postMessage(
            channel=request.channel, text=card_text(request), blocks=card_blocks(request)
        )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        code = str(error.response.get("error")) if isinstance(error, SlackApiError) else type(error).__name__
        log.warning("could not post the card of %s: %s", request.id, code, extra={"request_id": request.id})
        try:
            await deps.engine.cancel(request.id, request.requester)
        except WorkflowError as refused:
            log.warning("could not cancel %s after the card failed: %s", request.id, refused)
        note = messages.CARD_NOT_POSTED.format(error=escape(code), id=request.id)
        if not await tell(client, request.channel, request.requester, note) and respond is not None:
            try:
                await respond(text=note, response_type="ephemeral")
            except (aiohttp.ClientError, TimeoutError) as failed:
                log.warning("could not tell %s about %s: %r", request.requester, request.id, failed)
        return False
    ts = str(response["ts"])
    channel = str(response.get("channel") or request.channel)
    carded = await deps.engine.set_card(request.id, channel, ts)
    await deps.notifier.card_posted(request, carded)  # redrawn only if a click changed it meanwhile
    return True
