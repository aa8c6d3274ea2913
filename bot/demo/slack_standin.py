"""A local stand-in for Slack: the Web API the bot calls, and the signed requests Slack sends the bot.

Used by the demo and by the end-to-end tests. It is a real HTTP server (aiohttp, on a loopback port):
point the bot's `SLACK_API_URL` at `standin.api_url` and it answers `chat.postMessage`, `chat.update`,
`chat.postEphemeral`, `views.open`/`update`/`push`, `chat.getPermalink`, `usergroups.users.list`,
`auth.test`… like Slack does, recording every call. It keeps the channel as a person would see it
(messages, edits, thread replies, ephemeral notes) so the demo can show it and tests can assert on it.

The other direction — Slack calling the bot — is `sign()` and the `*_body()` builders: form bodies exactly
as Slack posts them, signed with the v0 HMAC scheme over the raw body. In Socket Mode the stand-in plays
Slack's WebSocket too: `apps.connections.open` (with an `xapp-` token) answers a loopback `ws://` URL, the
socket greets the bot with `hello`, `send_envelope()`/`socket_command()` deliver payloads in envelopes, and
the bot's acks (`{"envelope_id": …}`) are kept in `socket_acks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict, Unpack
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

__all__ = [
    "Message",
    "SlackCall",
    "SlackStandIn",
    "block_action_body",
    "block_action_payload",
    "sign",
    "slash_command_body",
    "slash_command_fields",
    "view_submission_body",
]

TEAM_ID = "T0DBOPS"
TEAM_DOMAIN = "acme"
API_APP_ID = "A0DBOPS"
BOT_USER_ID = "U0DBOPSBOT"


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


@dataclass
class _Failure:
    error: str
    status: int
    times: int
    retry_after: int | None


class SlackStandIn:
    """The Slack Web API on a loopback port. Use as `async with SlackStandIn() as slack:`."""

    def __init__(self, *, usergroups: Mapping[str, list[str]] | None = None) -> None:
        self.calls: list[SlackCall] = []
        self.messages: list[Message] = []
        self.ephemeral: list[Message] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.webhooks: list[tuple[str, dict[str, Any]]] = []
        self.usergroups: dict[str, list[str]] = dict(usergroups or {})
        self.free_plan = False  # usergroups.users.list → plan_upgrade_required, as on free workspaces
        # conversations.info answers for these channels (id → the `channel` object); others: channel_not_found
        self.channels: dict[str, dict[str, Any]] = {}
        # When set, only these bot tokens are accepted; any other xoxb- token gets `invalid_auth`.
        self.valid_tokens: set[str] | None = None
        self._failures: dict[str, _Failure] = {}
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Socket Mode: the bot's open WebSockets, and its acks by envelope id.
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0  # how many times the bot connected

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
        for ws in list(self.sockets):
            await ws.close()
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
        predicate: Callable[[SlackStandIn], bool],
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

    # ---- Socket Mode ----------------------------------------------------------------------------

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self.sockets)

    async def send_envelope(
        self, kind: str, payload: Mapping[str, Any], *, accepts_response_payload: bool = True
    ) -> str:
        """Deliver `payload` over the bot's newest open socket, as Slack does; returns the envelope id."""
        open_sockets = [ws for ws in self.sockets if not ws.closed]
        if not open_sockets:
            raise AssertionError("the bot has no open Socket Mode connection")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": accepts_response_payload,
        }
        await open_sockets[-1].send_json(envelope)
        return envelope_id

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
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len([s for s in self.sockets if not s.closed]),
                "debug_info": {
                    "host": "applink-standin",
                    "build_number": 1,
                    "approximate_connection_time": 3600,
                },
                "connection_info": {"app_id": API_APP_ID},
            }
        )
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

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

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
            async with self._changed:
                self._changed.notify_all()

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
            raw_view = args.get("view")
            view: dict[str, Any] = raw_view if isinstance(raw_view, dict) else {}
            view_id = str(args.get("view_id") or f"V{next(self._views):08d}")
            if method == "views.update" and view_id not in self.views:
                return {"ok": False, "error": "not_found"}
            stored = {**view, "id": view_id, "hash": f"{time.time():.6f}.h"}
            self.views[view_id] = stored
            return {"ok": True, "view": stored}
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
        async with self._changed:
            self._changed.notify_all()
        return web.Response(text="ok")

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"


def _blocks(args: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks")
    return list(blocks) if isinstance(blocks, list) else []


# ---- Slack → bot: signed requests -----------------------------------------------------------------


def sign(body: str, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`: v0 HMAC-SHA256 over `v0:{timestamp}:{raw body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


class SlashOptions(TypedDict, total=False):
    """Who sends a slash command, and where: the keywords of `slash_command_fields`."""

    user: Required[str]
    channel: Required[str]
    response_url: str
    channel_name: str
    trigger_id: str
    team_id: str
    api_app_id: str


def slash_command_body(command: str, text: str, **options: Unpack[SlashOptions]) -> str:
    """A slash command as Slack posts it (`application/x-www-form-urlencoded`)."""
    return urlencode(slash_command_fields(command, text, **options))


def slash_command_fields(
    command: str,
    text: str,
    *,
    user: str,
    channel: str,
    response_url: str = "",
    channel_name: str = "db-ops",
    trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> dict[str, str]:
    """A slash command's fields: the form body over HTTP, the envelope's `payload` in Socket Mode."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


class ClickOptions(TypedDict, total=False):
    """Who clicks, on which message: the keywords of `block_action_payload`."""

    user: Required[str]
    channel: Required[str]
    message_ts: Required[str]
    block_id: str
    response_url: str
    team_id: str
    api_app_id: str


def block_action_body(action_id: str, value: str, **options: Unpack[ClickOptions]) -> str:
    """A button click on a message, as Slack posts it (`payload=<JSON>`)."""
    return urlencode({"payload": json.dumps(block_action_payload(action_id, value, **options))})


def block_action_payload(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    block_id: str = "actions",
    response_url: str = "",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> dict[str, Any]:
    """A button click's payload: JSON in the form body over HTTP, an `interactive` envelope in Socket Mode."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "deprecated-verification-token",
        "trigger_id": f"{message_ts}.{user}.trigger",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "db-ops"},
        "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission_body(
    callback_id: str,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    user: str,
    private_metadata: str = "",
    view_id: str = "V00000001",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> str:
    """A modal submission as Slack posts it; `values` is `{block_id: {action_id: {"value": …}}}`."""
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "deprecated-verification-token",
        "trigger_id": f"{view_id}.trigger",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "1.h",
            "title": {"type": "plain_text", "text": "dbops"},
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": api_app_id,
            "external_id": "",
            "bot_id": "B0DBOPS",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})
