"""`python -m bot demo`: the whole dbops story on embedded defaults, shown as a person sees it in Slack.

Nothing is configured and nothing leaves this machine: the store is an SQLite file in a temporary folder,
DigitalOcean is the built-in sandbox, and Slack is the local stand-in. The real bot is served by uvicorn
on a loopback port and driven over HTTP with requests signed exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from bot.config import Settings
from bot.runtime import Runtime
from bot.server import build_server
from bot.slack import ids
from bot.workflow import ApprovalEngine, Policy

from .slack_standin import Message, SlackStandIn, block_action_body, sign, slash_command_body
from .terminal import NAMES, message_panel, mrkdwn

__all__ = ["run_demo"]

CHANNEL = "C0DBOPS"
INCIDENTS = "C0INCIDENTS"
PEOPLE = {"U0ALICE": "alice (engineer)", "U0LEAD1": "bob (lead)", "U0LEAD2": "carol (lead)"}
ALICE, BOB, CAROL = PEOPLE

POLICY = f"""
approvers: [U0LEAD1, U0LEAD2]
notify_channels: [{INCIDENTS}]
request_ttl_minutes: 60
allow_self_approval: false
protected_databases: [defaultdb]
actions:
  pool.create: {{approvals: 1}}
  pool.resize: {{approvals: 1}}
  pool.delete: {{approvals: 1}}
  db.create:   {{approvals: 1}}
  db.drop:     {{approvals: 2}}
"""


@dataclass
class Demo:
    slack: SlackStandIn
    http: httpx.AsyncClient
    secret: str
    out: Console
    quiet: bool
    engine: ApprovalEngine

    # ---- people doing things ----------------------------------------------------------------------

    async def command(self, user: str, command: str, text: str) -> None:
        self.say(f"[bold]{PEOPLE[user]}[/] types [cyan]{command} {text}[/]")
        hook = f"{command.strip('/')}-{len(self.slack.calls)}"
        body = slash_command_body(
            command, text, user=user, channel=CHANNEL, response_url=self.slack.response_url(hook)
        )
        answer = await self.http.post("/slack/events", content=body, headers=sign(body, self.secret))
        answer.raise_for_status()
        if answer.text:
            self.show_private(user, answer.text)

    async def click(self, user: str, action: str, card: Message) -> None:
        label = {ids.APPROVE: "Approve", ids.REJECT: "Reject", ids.CANCEL: "Cancel"}[action]
        self.say(f"[bold]{PEOPLE[user]}[/] clicks [bold cyan]{label}[/]")
        request_id = card.text.split(":", 1)[0]
        body = block_action_body(
            action,
            request_id,
            user=user,
            channel=CHANNEL,
            message_ts=card.ts,
            block_id=ids.CARD_ACTIONS_BLOCK,
        )
        answer = await self.http.post("/slack/events", content=body, headers=sign(body, self.secret))
        answer.raise_for_status()

    # ---- waiting for the bot ----------------------------------------------------------------------

    async def new_card(self, count: int) -> Message:
        await self.slack.wait_for(lambda s: len(s.top_level(CHANNEL)) >= count, what="the approval card")
        card = self.slack.top_level(CHANNEL)[count - 1]
        # The card is posted once, complete; wait until its ts is stored with the request (clicks then
        # update it in place).
        request_id = card.text.split(":", 1)[0]
        for _ in range(1000):
            if (await self.engine.get(request_id)).card_ts == card.ts:
                return self.slack.message(CHANNEL, card.ts)
            await asyncio.sleep(0.01)
        raise RuntimeError(f"the card of {request_id} was never stored")

    async def thread_says(self, card: Message, needle: str) -> None:
        await self.slack.wait_for(
            lambda s: any(needle in m.text for m in s.thread(CHANNEL, card.ts)), what=f"thread: {needle}"
        )

    async def private_note(self, user: str, count: int) -> str:
        await self.slack.wait_for(lambda s: len(self._private(user)) >= count, what=f"a note to {user}")
        return self._private(user)[count - 1]

    def _private(self, user: str) -> list[str]:
        notes = [m.text for m in self.slack.ephemeral if m.user == user]
        return notes + [str(body.get("text", "")) for _, body in self.slack.webhooks]

    # ---- showing it -------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if not self.quiet:
            self.out.print(text)

    def step(self, title: str) -> None:
        if not self.quiet:
            self.out.print()
            self.out.print(Rule(f"[bold]{title}"))

    def show_card(self, card: Message) -> None:
        if not self.quiet:
            card = self.slack.message(CHANNEL, card.ts)
            self.out.print(message_panel("#db-ops · dbops", card.blocks, card.text, style="blue"))

    def show_thread(self, card: Message) -> None:
        if not self.quiet:
            for reply in self.slack.thread(CHANNEL, card.ts):
                self.out.print(Text.assemble(("   └ thread · ", "dim"), mrkdwn(reply.text)))

    def show_private(self, user: str, text: str) -> None:
        if not self.quiet:
            who = PEOPLE[user].split()[0]
            self.out.print(message_panel(f"only visible to {who}", [], text, style="yellow"))

    def show_incidents(self) -> None:
        if not self.quiet:
            for notice in self.slack.top_level(INCIDENTS):
                self.out.print(message_panel("#incidents · dbops", notice.blocks, notice.text, style="red"))


async def story(demo: Demo) -> None:
    demo.step("1. alice asks for a new connection pool")
    await demo.command(ALICE, "/pool", "create prod-pg api db=app size=15 mode=transaction user=app")
    card = await demo.new_card(1)
    demo.show_card(card)

    demo.step("2. alice cannot approve her own request")
    await demo.click(ALICE, ids.APPROVE, card)
    demo.show_private(ALICE, await demo.private_note(ALICE, 1))

    demo.step("3. bob, a lead, approves: the change runs once, the result lands in the thread")
    await demo.click(BOB, ids.APPROVE, card)
    await demo.thread_says(card, "succeeded")
    await demo.slack.wait_for(lambda s: len(s.top_level(INCIDENTS)) >= 1, what="the incident notice")
    demo.show_card(card)
    demo.show_thread(card)
    demo.show_incidents()

    demo.step("4. dropping a database needs two leads")
    await demo.command(ALICE, "/db", "drop analytics-pg events")
    drop = await demo.new_card(2)
    demo.show_card(drop)
    await demo.click(BOB, ids.APPROVE, drop)
    await demo.thread_says(drop, "(1 of 2)")
    demo.show_thread(drop)
    await demo.click(CAROL, ids.APPROVE, drop)
    await demo.thread_says(drop, "succeeded")
    demo.show_card(drop)
    demo.show_thread(drop)

    demo.step("5. a resize that does not fit is refused before anyone is asked")
    await demo.command(ALICE, "/pool", "resize staging-pg staging-web size=30")
    demo.show_private(ALICE, await demo.private_note(ALICE, 2))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def _serving(runtime: Runtime) -> AsyncIterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        build_server(runtime), host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def run_demo(*, quiet: bool = False) -> int:
    logging.basicConfig(level=logging.ERROR)
    out = Console(highlight=False)
    NAMES.update({user: label.split()[0] for user, label in PEOPLE.items()})
    secret = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="dbops-demo-") as tmp:
        async with SlackStandIn() as slack:
            settings = Settings(
                slack_bot_token=SecretStr("xoxb-demo-not-a-real-token"),
                slack_signing_secret=SecretStr(secret),
                slack_app_token=None,
                slack_api_url=slack.api_url,
                digitalocean_token=None,
                digitalocean_api_url="sandbox",
                database_url=f"sqlite:///{Path(tmp) / 'dbops-demo.db'}",
                chatops_policy=None,
            )
            runtime = Runtime.build(settings, policy=Policy.from_yaml(POLICY), team_domain="acme")
            async with _serving(runtime) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
                demo = Demo(slack, http, secret, out, quiet, runtime.engine)
                await story(demo)
            calls = runtime.sandbox.call_counts() if runtime.sandbox else {}
    writes = sum(n for op, n in calls.items() if not op.startswith(("list_", "get_")))
    out.print()
    out.print(
        f"[bold green]demo finished[/]: 2 changes executed exactly once, 1 self-approval and 1 over-capacity "
        f"request refused; {sum(calls.values())} DigitalOcean calls ({writes} writes), "
        f"{len(slack.calls)} Slack calls."
    )
    return 0
