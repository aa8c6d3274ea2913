"""The drills' stack: real `python -m bot serve` processes on one fresh PostgreSQL database, the Slack
stand-in as the Slack Web API, the sandbox served over HTTP as DigitalOcean (one shared state, faults armed
from the test), and Slack-signed requests. Everything the bot says or logs is kept for the secret scan.

Waits poll the store or the stand-in until a condition holds (with a generous limit); nothing asserts on
wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bot.demo.slack_standin import SlackStandIn, block_action_body, sign, slash_command_body
from bot.sandbox import SandboxState, create_app
from bot.sandbox.server import serve_in_background
from bot.slack import ids
from bot.store import Request, RequestState, Store
from tests.support.team import ALICE, CHANNEL, LEAD3, policy_yaml

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
SCALE = max(1, int(os.environ.get("DBOPS_DRILL_SCALE", "1")))

ELSEWHERE = "C0RANDOM"  # a channel the policy does not allow
POLICY = policy_yaml(channels=[CHANNEL], approvals={"pool.create": 2})


@dataclass(frozen=True)
class Secrets:
    """This stack's credentials: fresh random values, so a leak anywhere is found by plain search."""

    slack_bot_token: str = field(default_factory=lambda: f"xoxb-drill-{secrets.token_hex(12)}", repr=False)
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    digitalocean_token: str = field(default_factory=lambda: f"dop_v1_{secrets.token_hex(32)}", repr=False)

    def all(self) -> list[str]:
        return [self.slack_bot_token, self.signing_secret, self.digitalocean_token]


@dataclass
class Captured:
    """Everything a drill saw the bot produce: logs, Slack calls, HTTP answers, audit events."""

    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    secrets: list[str] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def leaks(self) -> list[str]:
        return [
            f"{where}: a secret of length {len(secret)} appears"
            for where, text in self.texts
            for secret in self.secrets
            if secret and secret in text
        ]


CAPTURED = Captured()  # one per pytest session: the secret scan reads it last


async def until(predicate: Callable[[], Awaitable[bool]], *, what: str, limit: float = 60.0) -> None:
    """Poll `predicate` until it holds; fail naming `what` if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new PostgreSQL database on the `TEST_DATABASE_URL` server, dropped afterwards."""
    base = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"dbops_drill_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{base.rpartition('/')[0]}/{name}"
    finally:
        # a new connection: the server may have been restarted by the drill meanwhile
        admin = await asyncpg.connect(base)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class BotProcess:
    """One `python -m bot serve` replica; its stdout and stderr go to a log file (kept across restarts)."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, f"{self.name} is already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    async def wait_ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:

            async def ready() -> bool:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(ready, what=f"{self.name} to be ready", limit=60)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(None, self.process.wait), timeout=20)
        except TimeoutError:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def error_lines(self) -> list[str]:
        """Log lines at ERROR or above, and tracebacks: what a drill counts as unexpected errors."""
        return [
            line
            for line in self.log().splitlines()
            if '"level": "error"' in line or '"level": "critical"' in line or line.startswith("Traceback")
        ]


@dataclass
class Stack:
    slack: SlackStandIn
    sandbox: SandboxState
    do_url: str
    database_url: str
    secrets: Secrets
    workdir: Path
    store: Store
    http: httpx.AsyncClient
    bots: list[BotProcess] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)

    # ---- bot processes ------------------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        policy = self.workdir / "policy.yaml"
        if not policy.exists():
            policy.write_text(POLICY)
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV")}
        return {
            **keep,
            "PYTHONUNBUFFERED": "1",
            "SLACK_BOT_TOKEN": self.secrets.slack_bot_token,
            "SLACK_SIGNING_SECRET": self.secrets.signing_secret,
            "SLACK_API_URL": self.slack.api_url,
            "DIGITALOCEAN_TOKEN": self.secrets.digitalocean_token,
            "DIGITALOCEAN_API_URL": self.do_url,
            "DIGITALOCEAN_MAX_RATE_LIMIT_WAIT": "5",
            "DATABASE_URL": self.database_url,
            "CHATOPS_POLICY": str(policy),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            **overrides,
        }

    async def start_bots(self, count: int = 1, **env: str) -> list[BotProcess]:
        started = [
            BotProcess(
                f"bot{len(self.bots) + i}", self.env(**env), self.workdir / f"bot{len(self.bots) + i}.log"
            )
            for i in range(count)
        ]
        self.bots.extend(started)
        for bot in started:
            bot.start()
        await asyncio.gather(*(bot.wait_ready() for bot in started))
        return started

    def unexpected_errors(self) -> list[str]:
        lines = [line for bot in self.bots for line in bot.error_lines()]
        lines += [
            f"HTTP {r.status_code} from {r.request.url}" for r in self.responses if r.status_code >= 500
        ]
        return lines

    # ---- Slack → bot --------------------------------------------------------------------------------

    async def post(
        self,
        bot: BotProcess,
        body: str,
        *,
        retry: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = sign(body, self.secrets.signing_secret) if headers is None else headers
        if retry is not None:
            sent = {**sent, "X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        response = await self.http.post(f"{bot.url}/slack/events", content=body, headers=sent)
        self.responses.append(response)
        CAPTURED.add(f"answer of {bot.name}", response.text)
        return response

    async def command(
        self, bot: BotProcess, text: str, *, command: str = "/pool", user: str = ALICE, channel: str = CHANNEL
    ) -> httpx.Response:
        hook = f"{command.strip('/')}-{uuid.uuid4().hex[:8]}-{user}"
        body = slash_command_body(
            command, text, user=user, channel=channel, response_url=self.slack.response_url(hook)
        )
        return await self.post(bot, body)

    def click_body(self, action_id: str, request: Request, user: str) -> str:
        assert request.card_ts is not None
        return block_action_body(
            action_id,
            request.id,
            user=user,
            channel=request.card_channel or CHANNEL,
            message_ts=request.card_ts,
            block_id=ids.CARD_ACTIONS_BLOCK,
        )

    async def click(
        self, bot: BotProcess, action_id: str, request: Request, *, user: str, retry: int | None = None
    ) -> httpx.Response:
        return await self.post(bot, self.click_body(action_id, request, user), retry=retry)

    # ---- what the store and Slack show --------------------------------------------------------------

    async def requests(self) -> list[Request]:
        return await self.store.list_requests(list(RequestState))

    async def carded(self, count: int) -> list[Request]:
        """Wait until `count` requests exist with their cards posted and stored; return them."""

        async def done() -> bool:
            found = await self.requests()
            return len(found) >= count and all(r.card_ts for r in found)

        await until(done, what=f"{count} requests with their cards", limit=60 + count)
        return await self.requests()

    async def settled(self, ids_: Sequence[str], *, limit: float = 60.0) -> list[Request]:
        """Wait until every request in `ids_` is final (and its Slack work done); return them."""

        wanted = set(ids_)

        async def mine() -> list[Request]:
            return [r for r in await self.requests() if r.id in wanted]

        async def done() -> bool:
            return all(r.state.is_final for r in await mine())

        await until(done, what=f"{len(ids_)} requests to finish", limit=limit)
        return await mine()

    def thread(self, request: Request) -> list[str]:
        assert request.card_ts is not None
        return [m.text for m in self.slack.thread(request.card_channel or CHANNEL, request.card_ts)]

    def capture_everything(self) -> None:
        """Hand everything seen to the session's secret scan."""
        for bot in self.bots:
            CAPTURED.add(f"log of {bot.name}", bot.log())
        for call in self.slack.calls:
            CAPTURED.add(f"Slack {call.method}", repr(call.args))
        for hook, body in self.slack.webhooks:
            CAPTURED.add(f"response_url {hook}", repr(body))
        for view_id, view in self.slack.views.items():
            CAPTURED.add(f"view {view_id}", repr(view))


async def audit_texts(store: Store) -> list[str]:
    return [f"{e.kind} {e.message} {e.detail!r}" for e in await store.events()]


@contextlib.asynccontextmanager
async def running_stack(tmp_path: Path, *, sandbox: SandboxState | None = None) -> AsyncIterator[Stack]:
    """Slack stand-in, sandbox over HTTP and a fresh database; start bots with `stack.start_bots()`."""
    if not TEST_DATABASE_URL:
        import pytest

        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    keys = Secrets()
    CAPTURED.secrets.extend(keys.all())
    state = sandbox or SandboxState.seeded()
    async with (
        SlackStandIn(usergroups={"S0DBLEADS": [LEAD3]}) as slack,
        serve_in_background(create_app(state, token=keys.digitalocean_token)) as do_url,
        fresh_database() as database_url,
        httpx.AsyncClient(timeout=30) as http,
    ):
        store = Store.from_url(database_url)
        stack = Stack(slack, state, do_url, database_url, keys, tmp_path, store, http)
        try:
            yield stack
        finally:
            await asyncio.gather(*(bot.stop() for bot in stack.bots))
            stack.capture_everything()
            with contextlib.suppress(Exception):
                for text in await audit_texts(store):
                    CAPTURED.add("audit log", text)
            await store.close()


def summarize_calls(state: SandboxState, methods: Sequence[str] = ("POST", "PUT", "DELETE")) -> int:
    return sum(1 for call in state.calls if call.method in methods)
