"""The engine's channel directory, backed by Slack's `conversations.info` (scope `channels:read`).

Break-glass trusts a channel name only as Slack confirms it here, never the slash command's `channel_name`
(anyone can create `inc-mine`; private channels come as `privategroup`). Without `groups:read` Slack shows
the bot no private channel, and a private one never matches by name anyway. Each emergency asks afresh: a
renamed channel counts under its new name.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.workflow import ChannelInfo

__all__ = ["SlackChannels"]

log = logging.getLogger(__name__)


class SlackChannels:
    """`lookup(channel)` for the workflow (`bot.workflow.ChannelDirectory`)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def lookup(self, channel: str) -> ChannelInfo | None:
        try:
            response = await self._client.conversations_info(channel=channel)
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            log.warning("conversations.info for %s answered %s: its name is not confirmed", channel, code)
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not reach Slack to look up channel %s: %r", channel, error)
            return None
        found = response.get("channel") or {}
        if not isinstance(found, dict) or not found.get("id") or not found.get("name"):
            return None
        private = bool(found.get("is_private")) or not found.get("is_channel")  # DMs, MPIMs, old groups
        return ChannelInfo(id=str(found["id"]), name=str(found["name"]), is_private=private)
