"""A local stand-in for Slack: the Web API the bot calls, and the signed requests Slack sends the bot.

Used by the demo and by the end-to-end tests. It is a real HTTP server (aiohttp, on a loopback port):
point the bot's `SLACK_API_URL` at `standin.api_url` and it answers `chat.postMessage`, `chat.update`,
`chat.postEphemeral`, `views.open`/`update`/`push`, `chat.getPermalink`, `usergroups.users.list`,
`auth.test`… like Slack does, recording every call. It keeps the channel as a person would see it
(messages, edits, thread replies, ephemeral notes) so the demo can show it and tests can assert on it
(`standin_channel.py`).

The other direction — Slack calling the bot — is `sign()` (`standin_signing.py`) and the `*_body()`
builders: form bodies exactly as Slack posts them, signed with the v0 HMAC scheme over the raw body
(`standin_commands.py`, `standin_interactions.py`, `standin_events.py`). In Socket Mode the stand-in plays
Slack's WebSocket too (`standin_socket.py`): `apps.connections.open` (with an `xapp-` token) answers a
loopback `ws://` URL, the socket greets the bot with `hello`, `send_envelope()`/`socket_command()` deliver
payloads in envelopes (`send_frame()` sends one exactly as given), and the bot's acks
(`{"envelope_id": …}`) are kept in `socket_acks`. Every builder follows the shapes Slack really sends
(tests/fixtures/slack; a contract test checks that the stand-in adds no field Slack does not send).

Modals are `forms` (`bot/demo/standin_views.py`): each view's hash and what the person entered, and the
`block_actions`, `block_suggestion` and `view_submission` payloads Slack sends from a view.

Everything is importable from here; the workspace's IDs are in `standin_workspace.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .standin_channel import Message, SlackCall
from .standin_commands import SlashOptions, slash_command_body, slash_command_fields
from .standin_events import app_home_opened_callback
from .standin_interactions import (
    ClickOptions,
    block_action_body,
    block_action_payload,
    home_action_payload,
    payload_body,
    view_submission_body,
)
from .standin_signing import sign
from .standin_socket import SocketModeSide, hello_frame
from .standin_views import StandInViews
from .standin_workspace import API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

__all__ = [
    "API_APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "ClickOptions",
    "Message",
    "SlackCall",
    "SlackStandIn",
    "SlashOptions",
    "app_home_opened_callback",
    "block_action_body",
    "block_action_payload",
    "hello_frame",
    "home_action_payload",
    "payload_body",
    "sign",
    "slash_command_body",
    "slash_command_fields",
    "view_submission_body",
]


@dataclass
class _Failure:
    error: str
    status: int
    times: int
    retry_after: int | None


class SlackStandIn(SocketModeSide):
    """The Slack Web API on a loopback port. Use as `async with SlackStandIn() as slack:`."""

    def __init__(self, *, usergroups: Mapping[str, list[str]] | None = None) -> None:
        super().__init__()
        self.forms = StandInViews(TEAM_ID, API_APP_ID, BOT_ID)
        self.views: dict[str, dict[str, Any]] = self.forms.views
        self.usergroups: dict[str, list[str]] = dict(usergroups or {})
        self.free_plan = False  # usergroups.users.list → plan_upgrade_required, as on free workspaces
        # conversations.info answers for these channels (id → the `channel` object); others: channel_not_found
        self.channels: dict[str, dict[str, Any]] = {}
        # When set, only these bot tokens are accepted; any other xoxb- token gets `invalid_auth`.
        self.valid_tokens: set[str] | None = None
        self._failures: dict[str, _Failure] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def add_channel(self, channel: str, name: str, *, private: bool = False) -> None:
        """A channel as `conversations.info` describes it (the fields the bot reads, in Slack's shape)."""
        self.channels[channel] = {
            "id": channel,
            "name": name,
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_mpim": False,
            "is_private": private,
            "is_archived": False,
        }

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_route("POST", "/webhook/{hook}", self._webhook)
        app.router.add_route("GET", "/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        await self._close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What to give the bot as `SLACK_API_URL`."""
        return f"{self.base_url}/api/"

    def response_url(self, hook: str = "1") -> str:
        return f"{self.base_url}/webhook/{hook}"

    # ---- test controls --------------------------------------------------------------------------

    def fail(
        self, method: str, error: str, *, times: int = 1, status: int = 200, retry_after: int | None = None
    ) -> None:
        """Make the next `times` calls of `method` fail: e.g. `("chat.postMessage", "not_in_channel")`,
        or `("chat.postMessage", "ratelimited", status=429, retry_after=1)`."""
        self._failures[method] = _Failure(error, status, times, retry_after)

    # ---- handlers -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                args.update(body if isinstance(body, dict) else {})
            else:
                args.update(dict(await request.post()))
        for key in ("blocks", "view", "attachments", "metadata"):
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        self.calls.append(SlackCall(method, args))
        try:
            failure = self._failures.get(method)
            if failure is not None and failure.times > 0:
                failure.times -= 1
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return web.json_response(
                    {"ok": False, "error": failure.error}, status=failure.status, headers=headers
                )
            authorization = str(request.headers.get("Authorization", ""))
            if method == "apps.connections.open":
                # Socket Mode: only an app-level token opens a connection.
                if not authorization.startswith("Bearer xapp-"):
                    return web.json_response({"ok": False, "error": "not_allowed_token_type"})
                url = f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4()}"
                return web.json_response({"ok": True, "url": url})
            if not authorization.startswith("Bearer xoxb-"):
                return web.json_response({"ok": False, "error": "not_authed"})
            if (
                self.valid_tokens is not None
                and authorization.removeprefix("Bearer ") not in self.valid_tokens
            ):
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response(self._answer(method, args))
        finally:
            await self._notify()

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{TEAM_DOMAIN}.slack.com/",
                "team": "Acme",
                "team_id": TEAM_ID,
                "user": "dbops",
                "user_id": BOT_USER_ID,
                "bot_id": "B0DBOPS",
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            channel = str(args.get("channel"))
            self.messages.append(
                Message(
                    channel,
                    ts,
                    str(args.get("text", "")),
                    _blocks(args),
                    thread_ts=args.get("thread_ts") or None,
                )
            )
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"ts": ts, "text": args.get("text", "")},
            }
        if method == "chat.update":
            try:
                message = self.message(str(args.get("channel")), str(args.get("ts")))
            except KeyError:
                return {"ok": False, "error": "message_not_found"}
            message.text = str(args.get("text", message.text))
            if "blocks" in args:
                message.blocks = _blocks(args)
            message.edits += 1
            return {"ok": True, "channel": message.channel, "ts": message.ts}
        if method == "chat.postEphemeral":
            ts = self._next_ts()
            self.ephemeral.append(
                Message(
                    str(args.get("channel")),
                    ts,
                    str(args.get("text", "")),
                    _blocks(args),
                    thread_ts=args.get("thread_ts") or None,
                    user=str(args.get("user")),
                )
            )
            return {"ok": True, "message_ts": ts}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "channel": args.get("channel"),
                "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{args.get('channel')}/p{ts}",
            }
        if method in ("views.open", "views.push", "views.update"):
            return self.forms.answer(method, args)
        if method == "usergroups.users.list":
            if self.free_plan:
                return {"ok": False, "error": "plan_upgrade_required"}
            group = str(args.get("usergroup"))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method == "conversations.info":
            found = self.channels.get(str(args.get("channel")))
            if found is None:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": found}
        if method == "bots.info":
            bot = str(args.get("bot"))
            return {
                "ok": True,
                "bot": {"id": bot, "app_id": API_APP_ID, "user_id": BOT_USER_ID, "name": "dbops"},
            }
        if method == "users.info":
            user = str(args.get("user"))
            return {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": user, "tz": "UTC"}}
        return {"ok": True}

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.webhooks.append((request.match_info["hook"], body))
        await self._notify()
        return web.Response(text="ok")

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"


def _blocks(args: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks")
    return list(blocks) if isinstance(blocks, list) else []
