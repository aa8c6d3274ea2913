"""The break-glass buttons: **Stop** on an emergency card (anyone in the channel), **Acknowledge review**
on the review message (an approver). Acked at once; the engine decides, conditionally, in the background.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from . import ids
from .deps import SlackDeps, clicked, spawn_click

__all__ = ["register_incidents"]


def register_incidents(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.STOP)
    async def stop(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = clicked(body)
        spawn_click(
            deps,
            client,
            channel,
            user,
            lambda: deps.engine.stop(request_id, user),
            name=f"stop {request_id} by {user}",
        )

    @app.action(ids.ACK_REVIEW)
    async def acknowledge(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = clicked(body)
        spawn_click(
            deps,
            client,
            channel,
            user,
            lambda: deps.engine.acknowledge_review(request_id, user),
            name=f"review {request_id} by {user}",
        )
