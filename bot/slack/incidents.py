"""The break-glass buttons: **Stop** on an emergency card (anyone in the channel), **Acknowledge review**
on the review message (an approver). Acked at once; the engine decides, conditionally, in the background.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.workflow import WorkflowError

from . import ids, messages
from .deps import SlackDeps, tell
from .mrkdwn import escape

__all__ = ["register_incidents"]

log = logging.getLogger(__name__)


def _clicked(body: dict[str, Any]) -> tuple[str, str, str]:
    action = body["actions"][0]
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return str(action["value"]), str(body["user"]["id"]), str(channel)


def register_incidents(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.STOP)
    async def stop(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = _clicked(body)

        async def work() -> None:
            try:
                await deps.engine.stop(request_id, user)
            except WorkflowError as refused:
                await tell(client, channel, user, escape(str(refused)))

        deps.tasks.spawn(
            work(), name=f"stop {request_id} by {user}", on_error=_reporter(client, channel, user)
        )

    @app.action(ids.ACK_REVIEW)
    async def acknowledge(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = _clicked(body)

        async def work() -> None:
            try:
                await deps.engine.acknowledge_review(request_id, user)
            except WorkflowError as refused:
                await tell(client, channel, user, escape(str(refused)))

        deps.tasks.spawn(
            work(), name=f"review {request_id} by {user}", on_error=_reporter(client, channel, user)
        )


def _reporter(client: AsyncWebClient, channel: str, user: str) -> Any:
    async def report(error: BaseException) -> None:
        await tell(client, channel, user, messages.INTERNAL_ERROR)

    return report
