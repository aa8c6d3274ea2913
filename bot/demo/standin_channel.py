"""What the stand-in records of the bot in Slack: every Web API call it made, and the channel as a person
sees it (messages after their edits, thread replies, ephemeral notes, answers sent to a `response_url`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

__all__ = ["Message", "RecordedChannel", "SlackCall"]


@dataclass
class SlackCall:
    """One Web API call the bot made: its method name and its arguments (JSON, form or query)."""

    method: str
    args: dict[str, Any]


@dataclass
class Message:
    """A message as the channel shows it (after any `chat.update`)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    user: str | None = None  # set for ephemeral messages: only this person sees it
    edits: int = 0


class RecordedChannel:
    """The calls and the channel so far; `wait_for` re-checks a condition after every change."""

    def __init__(self) -> None:
        self.calls: list[SlackCall] = []
        self.messages: list[Message] = []
        self.ephemeral: list[Message] = []
        self.webhooks: list[tuple[str, dict[str, Any]]] = []
        self._changed = asyncio.Condition()

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies in a message's thread, oldest first."""
        return [m for m in self.messages if m.channel == channel and m.thread_ts == ts and m.ts != ts]

    def message(self, channel: str, ts: str) -> Message:
        for m in self.messages:
            if m.channel == channel and m.ts == ts:
                return m
        raise KeyError(f"no message {ts} in {channel}")

    def top_level(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts is None]

    async def wait_for(
        self,
        predicate: Callable[[Self], bool],
        *,
        timeout: float = 10.0,
        what: str = "the expected Slack calls",
    ) -> None:
        """Wait until `predicate(self)` holds (re-checked after every call), or fail after `timeout`."""

        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))

        try:
            await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            seen = ", ".join(c.method for c in self.calls[-20:])
            raise AssertionError(f"timed out waiting for {what}; last calls: {seen}") from None

    async def wait_for_calls(self, method: str, count: int = 1, *, timeout: float = 10.0) -> list[SlackCall]:
        await self.wait_for(
            lambda s: len(s.calls_to(method)) >= count, timeout=timeout, what=f"{count} × {method}"
        )
        return self.calls_to(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
