"""What the engine may learn about a Slack channel: its confirmed name and whether it is private.

Break-glass matches incident channels by ID, or by a name pattern (`inc-*`) against a name the Slack layer
read with `conversations.info`, never the `channel_name` a slash command carries (anyone can create
`inc-mine`, and Slack sends private channels' names as `privategroup`). Only a public channel matches by
name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ChannelDirectory", "ChannelInfo", "NoChannelDirectory", "StaticChannels"]


@dataclass(frozen=True)
class ChannelInfo:
    id: str
    name: str
    is_private: bool


class ChannelDirectory(Protocol):
    """Looks a channel up (the Slack layer uses `conversations.info`); None when it cannot be confirmed:
    unknown, not visible to the bot (a private channel without `groups:read`), or Slack unreachable."""

    async def lookup(self, channel: str) -> ChannelInfo | None: ...


class NoChannelDirectory:
    """Confirms no name: incident channels then match by ID only."""

    async def lookup(self, channel: str) -> ChannelInfo | None:
        return None


class StaticChannels:
    """A fixed table of channels (for tests and the demo)."""

    def __init__(self, channels: Mapping[str, ChannelInfo] | None = None) -> None:
        self._channels = dict(channels or {})

    def add(self, channel: str, name: str, *, private: bool = False) -> None:
        self._channels[channel] = ChannelInfo(channel, name, private)

    async def lookup(self, channel: str) -> ChannelInfo | None:
        return self._channels.get(channel)
