"""The stand-in as Slack's end of Socket Mode: the WebSocket the bot connects to, greeted with `hello`;
payloads delivered in envelopes; the bot's acks (`{"envelope_id": …}`) kept by envelope id."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import WSMsgType, web

from .standin_channel import RecordedChannel
from .standin_commands import slash_command_fields
from .standin_workspace import API_APP_ID

__all__ = ["SocketModeSide", "hello_frame"]

_ANSWERED_IN_THE_ACK = frozenset({"view_submission", "block_suggestion"})


class SocketModeSide(RecordedChannel):
    """The bot's open WebSockets, how many times it connected, and its acks by envelope id."""

    def __init__(self) -> None:
        super().__init__()
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0  # how many times the bot connected

    async def _close_sockets(self) -> None:
        for ws in list(self.sockets):
            await ws.close()

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self.sockets)

    async def send_envelope(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Deliver `payload` in an envelope over the bot's newest open socket, as Slack does; returns the
        envelope id. `accepts_response_payload` defaults to what Slack sends for the kind: true for slash
        commands, modal submissions and options loads, false for clicks and events. An Events API
        redelivery carries `retry_attempt` and `retry_reason`."""
        if accepts_response_payload is None:
            accepts_response_payload = kind == "slash_commands" or (
                kind == "interactive" and payload.get("type") in _ANSWERED_IN_THE_ACK
            )
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "payload": dict(payload),
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if retry_attempt is not None:
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason or "timeout"}
        return await self.send_frame(envelope)

    async def send_frame(self, frame: Mapping[str, Any]) -> str:
        """Send one frame exactly as given (e.g. a fixture's envelope); returns its `envelope_id`."""
        open_sockets = [ws for ws in self.sockets if not ws.closed]
        if not open_sockets:
            raise AssertionError("the bot has no open Socket Mode connection")
        await open_sockets[-1].send_json(dict(frame))
        return str(frame.get("envelope_id", ""))

    async def socket_command(
        self, command: str, text: str, *, user: str, channel: str, response_url: str = ""
    ) -> str:
        """A slash command over Socket Mode (`type: slash_commands`); returns the envelope id."""
        fields = slash_command_fields(command, text, user=user, channel=channel, response_url=response_url)
        return await self.send_envelope("slash_commands", fields)

    async def wait_for_ack(self, envelope_id: str, *, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's ack of an envelope (`{"envelope_id": …, "payload"?: …}`), once it has come."""
        await self.wait_for(
            lambda s: envelope_id in s.socket_acks, timeout=timeout, what=f"the ack of {envelope_id}"
        )
        return self.socket_acks[envelope_id]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers the client's pings with pongs, as Slack's servers do
        await ws.prepare(request)
        self.sockets.append(ws)
        self.socket_connections += 1
        await ws.send_json(hello_frame(len([s for s in self.sockets if not s.closed])))
        await self._notify()
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                with contextlib.suppress(ValueError):
                    data = json.loads(message.data)
                    if isinstance(data, dict) and "envelope_id" in data:
                        self.socket_acks[str(data["envelope_id"])] = data
                        await self._notify()
        finally:
            await self._notify()
        return ws


def hello_frame(num_connections: int) -> dict[str, Any]:
    """What Slack sends first on a new Socket Mode connection."""
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "applink-standin", "build_number": 1, "approximate_connection_time": 3600},
        "connection_info": {"app_id": API_APP_ID},
    }
