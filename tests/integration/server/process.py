"""`python -m bot …` as a real child process: a clean environment, captured output, waits on log lines.

The child runs with `cwd` in the test's temporary folder (so no `.env` or `dbops.db` of the checkout is
read) and `PYTHONPATH` at the repository root (so it runs this checkout's code). Nothing of the test
runner's environment leaks in except `PATH`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.demo.slack_standin import Message, SlackStandIn, block_action_body, sign, slash_command_body
from bot.slack import ids
from bot.store import Store
from tests.support.team import ALICE, CHANNEL, LEAD1, policy_yaml

ROOT = Path(__file__).resolve().parents[3]


def fake_slack_token(prefix: str = "xoxb") -> str:
    """A token shaped like Slack's, made fresh for each run (none is ever written in the repository)."""
    return (
        f"{prefix}-{secrets.randbelow(10**10):010d}-{secrets.randbelow(10**10):010d}-{secrets.token_hex(12)}"
    )


BOT_TOKEN = fake_slack_token()
SIGNING_SECRET = "c0ffee0123456789abcdef0123456789"
APP_TOKEN = "xapp-1-A0DBOPS-3333333333-sockettestsecretvalue"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN)

LEAD = LEAD1
POLICY = policy_yaml([LEAD])

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(tmp_path: Path, slack: SlackStandIn, **extra: str) -> dict[str, str]:
    """The environment of a bot served against `slack` and the built-in DigitalOcean sandbox."""
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "CHATOPS_POLICY": str(policy),
        "DIGITALOCEAN_API_URL": "sandbox",
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dbops.db'}",
        "PORT": str(free_port()),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


@dataclass
class BotProcess:
    """A running `python -m bot …`; its stdout and stderr are collected as they come."""

    process: asyncio.subprocess.Process
    env: Mapping[str, str]
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    @property
    def output(self) -> str:
        return self.stdout.decode(errors="replace") + self.stderr.decode(errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """Every stderr line, parsed as JSON (a line that is not JSON fails the test)."""
        lines = self.stderr.decode().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    async def wait_for_output(self, needle: str, *, timeout: float = START_TIMEOUT) -> None:
        """Wait until `needle` appears in stdout or stderr; fail (showing the output) if the process ends."""

        def seen() -> bool:
            return needle in self.output or self.process.returncode is not None

        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(seen)

        try:
            await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {needle!r}; output so far:\n{self.output}") from None
        if needle not in self.output:
            raise AssertionError(
                f"the bot exited ({self.process.returncode}) before {needle!r}; output:\n{self.output}"
            )

    async def terminate(self, *, timeout: float = START_TIMEOUT) -> int:
        """SIGTERM, then the exit code (all output read)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout=timeout)

    async def wait(self, *, timeout: float = START_TIMEOUT) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self._readers)
        return code

    async def _read(self, stream: asyncio.StreamReader, into: bytearray) -> None:
        while chunk := await stream.read(65536):
            into.extend(chunk)
            async with self._changed:
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()


async def start(*args: str, env: Mapping[str, str], cwd: Path) -> BotProcess:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=dict(env),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(process, env)
    assert process.stdout is not None
    assert process.stderr is not None
    bot._readers = [
        asyncio.create_task(bot._read(process.stdout, bot.stdout)),
        asyncio.create_task(bot._read(process.stderr, bot.stderr)),
    ]
    return bot


@contextlib.asynccontextmanager
async def serving(env: Mapping[str, str], cwd: Path) -> AsyncIterator[BotProcess]:
    """`python -m bot serve`, started and listening; killed if the test fails. (uvicorn logs its startup as
    complete before it binds the socket: "Uvicorn running on" comes after.)"""
    bot = await start("serve", env=env, cwd=cwd)
    try:
        await bot.wait_for_output("Uvicorn running on")
        yield bot
    finally:
        if bot.process.returncode is None:
            bot.process.kill()
            await bot.wait()


# ---- people in the channel -------------------------------------------------------------------------


async def slash_command(
    http: httpx.AsyncClient, slack: SlackStandIn, command: str, text: str, *, user: str = ALICE
) -> httpx.Response:
    body = slash_command_body(
        command,
        text,
        user=user,
        channel=CHANNEL,
        response_url=slack.response_url(f"{command.strip('/')}-{user}"),
    )
    return await http.post("/slack/events", content=body, headers=sign(body, SIGNING_SECRET))


async def approve(http: httpx.AsyncClient, card: Message, *, user: str = LEAD) -> httpx.Response:
    request_id = card.text.split(":", 1)[0]
    body = block_action_body(
        ids.APPROVE,
        request_id,
        user=user,
        channel=CHANNEL,
        message_ts=card.ts,
        block_id=ids.CARD_ACTIONS_BLOCK,
    )
    return await http.post("/slack/events", content=body, headers=sign(body, SIGNING_SECRET))


async def card_with_buttons(
    slack: SlackStandIn, env: Mapping[str, str], count: int = 1, *, polls: int = 1000
) -> Message:
    """The `count`-th card in the channel (posted once, complete), once the bot has stored its ts in the
    store at `env`'s DATABASE_URL (polled)."""
    await slack.wait_for(lambda s: len(s.top_level(CHANNEL)) >= count, what="the approval card")
    card = slack.top_level(CHANNEL)[count - 1]
    request_id = card.text.split(":", 1)[0]
    store = Store.from_url(env["DATABASE_URL"])
    try:
        for _ in range(polls):
            stored = await store.get(request_id)
            if stored is not None and stored.card_ts == card.ts:
                return slack.message(CHANNEL, card.ts)
            await asyncio.sleep(0.01)
    finally:
        await store.close()
    raise AssertionError(f"the card of {request_id} was never stored")


async def thread_says(slack: SlackStandIn, card: Message, needle: str, *, timeout: float = 10.0) -> list[str]:
    def found(s: SlackStandIn) -> bool:
        return any(needle in m.text for m in s.thread(CHANNEL, card.ts))

    await slack.wait_for(found, timeout=timeout, what=f"a thread line containing {needle!r}")
    return [m.text for m in slack.thread(CHANNEL, card.ts)]


def leaked(text: str) -> list[str]:
    """The test's secrets that appear in `text` (none, in a passing test)."""
    return [secret for secret in SECRETS if secret in text]
