"""End to end over real HTTP: the bot served by uvicorn on a loopback port, Slack's requests signed exactly
as Slack signs them, the Slack Web API played by the stand-in, DigitalOcean by the sandbox, the store on
SQLite (or PostgreSQL). Tests wait for background work by polling the stand-in, never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.config import Settings
from bot.demo.slack_standin import (
    TEAM_DOMAIN,
    Message,
    SlackStandIn,
    block_action_body,
    payload_body,
    sign,
    slash_command_body,
    view_submission_body,
)
from bot.digitalocean import DigitalOceanClient, RetryPolicy
from bot.ops.service import DEFAULT_CACHE_TTL, DatabaseOps
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background
from bot.slack import ids
from bot.slack.adapters.channels import SlackChannels
from bot.slack.adapters.notifier import SlackNotifier
from bot.slack.adapters.usergroups import SlackGroups
from bot.slack.app import build_asgi, build_slack_app, deps_of, make_web_client
from bot.store import Request, Store
from bot.workflow import ApprovalEngine, Policy
from tests.support.team import ALICE, CHANNEL, LEAD3, policy_yaml

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
POLICY = policy_yaml()


class Clock:
    """The engine's clock: real time plus however far a test moved it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Harness:
    slack: SlackStandIn
    sandbox: SandboxState
    engine: ApprovalEngine
    http: httpx.AsyncClient
    clock: Clock
    store: Store
    ops: DatabaseOps
    _ts: int = field(default=0)

    # ---- Slack → bot ------------------------------------------------------------------------------

    async def post(
        self, body: str, *, retry: int | None = None, retry_reason: str = "http_timeout"
    ) -> httpx.Response:
        headers = sign(body, SECRET)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": retry_reason}
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def command(
        self,
        command: str,
        text: str,
        *,
        user: str = ALICE,
        channel: str = CHANNEL,
        retry: int | None = None,
        channel_name: str = "db-ops",
    ) -> httpx.Response:
        hook = f"{command.strip('/')}-{len(self.slack.calls)}-{user}"
        body = slash_command_body(
            command,
            text,
            user=user,
            channel=channel,
            response_url=self.slack.response_url(hook),
            channel_name=channel_name,
        )
        return await self.post(body, retry=retry)

    async def click(
        self, action_id: str, request: Request, *, user: str, retry: int | None = None
    ) -> httpx.Response:
        assert request.card_ts is not None
        body = block_action_body(
            action_id,
            request.id,
            user=user,
            channel=request.card_channel or CHANNEL,
            message_ts=request.card_ts,
            block_id=ids.CARD_ACTIONS_BLOCK,
        )
        return await self.post(body, retry=retry)

    async def submit(
        self, callback_id: str, values: dict[str, Any], *, user: str, private_metadata: str
    ) -> httpx.Response:
        body = view_submission_body(callback_id, values, user=user, private_metadata=private_metadata)
        return await self.post(body)

    # ---- a person filling in a form (the view as the stand-in keeps it, payloads as Slack sends them) --

    async def open_form(self, command: str, verb: str, *, user: str = ALICE) -> str:
        """Type the command that opens a form; returns the view id once the form replaced "Loading…"."""
        updates = len(self.slack.calls_to("views.update"))
        response = await self.command(command, verb, user=user)
        assert response.status_code == 200
        await self.slack.wait_for_calls("views.update", updates + 1)
        return str(self.slack.calls_to("views.update")[updates].args["view_id"])

    def form(self, view_id: str) -> dict[str, Any]:
        """The view as Slack shows it now (blocks, hash, private_metadata, what was entered)."""
        return self.slack.views[view_id]

    def type(self, view_id: str, action_id: str, value: str | None) -> None:
        """Type into a text or number input, or clear it (`None`); Slack sends nothing for that."""
        self.slack.forms.enter(view_id, action_id, value)

    async def choose(
        self, view_id: str, action_id: str, value: str, *, text: str | None = None, user: str = ALICE
    ) -> httpx.Response | None:
        """Choose an option in a select. If its block dispatches actions, Slack sends a `block_actions`
        with the view's whole state; then wait for the bot to rebuild the form (a new hash)."""
        self.slack.forms.enter(view_id, action_id, value, text=text)
        if not self.slack.forms.dispatches(view_id, action_id):
            return None
        before = self.form(view_id)["hash"]
        payload = self.slack.forms.action_payload(view_id, action_id, user=user, team_domain=TEAM_DOMAIN)
        response = await self.post(payload_body(payload))
        assert response.status_code == 200
        await self.slack.wait_for(lambda s: s.views[view_id]["hash"] != before, what="the form rebuilt")
        return response

    async def suggest(self, view_id: str, action_id: str, typed: str, *, user: str = ALICE) -> list[str]:
        """What an external select offers after typing `typed` (a `block_suggestion`, state empty)."""
        payload = self.slack.forms.suggestion_payload(
            view_id, action_id, typed, user=user, team_domain=TEAM_DOMAIN
        )
        response = await self.post(payload_body(payload))
        assert response.status_code == 200
        return [str(o["value"]) for o in response.json()["options"]]

    async def submit_form(self, view_id: str, *, user: str = ALICE) -> httpx.Response:
        """Press the form's submit button (a `view_submission` with what was entered)."""
        payload = self.slack.forms.submission_payload(view_id, user=user, team_domain=TEAM_DOMAIN)
        return await self.post(payload_body(payload))

    # ---- what people see --------------------------------------------------------------------------

    def cards(self, channel: str = CHANNEL) -> list[Message]:
        return self.slack.top_level(channel)

    async def wait_card(self, count: int = 1, channel: str = CHANNEL) -> Message:
        await self.slack.wait_for(
            lambda s: len(s.top_level(channel)) >= count, what=f"{count} card(s) in {channel}"
        )
        return self.cards(channel)[count - 1]

    async def request_of(self, card: Message, *, polls: int = 1000) -> Request:
        """The request behind a card, once the engine has stored the card's ts (polling the store)."""
        request_id = card.text.split(":", 1)[0]
        for _ in range(polls):
            request = await self.engine.get(request_id)
            if request.card_ts == card.ts:
                return request
            await asyncio.sleep(0.01)
        raise AssertionError(f"the card of {request_id} was never stored (card_ts {request.card_ts})")

    def thread(self, request: Request) -> list[str]:
        assert request.card_ts is not None
        return [m.text for m in self.slack.thread(request.card_channel or CHANNEL, request.card_ts)]

    async def wait_thread(self, request: Request, needle: str) -> list[str]:
        assert request.card_ts is not None
        await self.slack.wait_for(
            lambda s: any(
                needle in m.text for m in s.thread(request.card_channel or CHANNEL, request.card_ts or "")
            ),
            what=f"a thread line containing {needle!r}",
        )
        return self.thread(request)

    def ephemeral_to(self, user: str) -> list[str]:
        return [m.text for m in self.slack.ephemeral if m.user == user]

    async def wait_ephemeral(self, user: str, needle: str) -> list[str]:
        await self.slack.wait_for(
            lambda s: any(needle in m.text for m in s.ephemeral if m.user == user),
            what=f"an ephemeral note to {user} containing {needle!r}",
        )
        return self.ephemeral_to(user)

    async def wait_webhook(self, count: int = 1) -> list[dict[str, Any]]:
        await self.slack.wait_for(lambda s: len(s.webhooks) >= count, what=f"{count} response_url answer(s)")
        return [body for _, body in self.slack.webhooks]

    async def drain(self) -> None:
        """Wait for every background task of the bot and the Slack updates they queued (no new work)."""
        await self.deps.drain()

    deps: Any = None


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    database_url: str | None = None,
    policy_yaml: str = POLICY,
    cluster_cache_ttl: float = DEFAULT_CACHE_TTL,
) -> AsyncIterator[Harness]:
    """The bot and its stand-ins; `cluster_cache_ttl=0` makes every read ask DigitalOcean for the
    cluster list (as once the service layer's cache has expired)."""
    async with SlackStandIn(usergroups={"S0DBLEADS": [LEAD3]}) as slack:
        sandbox = SandboxState.seeded()
        async with serve_in_background(create_app(sandbox)) as do_url:
            do = DigitalOceanClient(
                SANDBOX_TOKEN,
                base_url=do_url,
                retry=RetryPolicy(attempts=1, backoff_initial=0.0, jitter=0.0, max_rate_limit_wait=0.0),
            )
            store = Store.from_url(database_url or f"sqlite:///{tmp_path / 'dbops.db'}")
            await store.migrate()
            settings = Settings(
                slack_bot_token="xoxb-test-token",  # type: ignore[arg-type]
                slack_signing_secret=SECRET,  # type: ignore[arg-type]
                slack_api_url=slack.api_url,
                _env_file=None,  # type: ignore[call-arg]
            )
            client = make_web_client(settings)
            policy = Policy.from_yaml(policy_yaml)
            ops = DatabaseOps(
                do, protected_databases=frozenset(policy.protected_databases), cache_ttl=cluster_cache_ttl
            )
            notifier = SlackNotifier(client, notify_channels=policy.notify_channels, team_domain=TEAM_DOMAIN)
            clock = Clock()
            engine = ApprovalEngine(
                store,
                ops,
                policy,
                SlackGroups(client),
                channels=SlackChannels(client),
                clock=clock,
                notifier=notifier,
            )
            bolt = build_slack_app(settings, engine, ops, client=client, notifier=notifier)
            async with (
                serve_in_background(build_asgi(bolt)) as bot_url,
                httpx.AsyncClient(base_url=bot_url, timeout=10) as http,
            ):
                harness = Harness(slack, sandbox, engine, http, clock, store, ops)
                harness.deps = deps_of(bolt)
                try:
                    yield harness
                finally:
                    await harness.deps.drain(timeout=10)
            await store.close()
            await do.aclose()
