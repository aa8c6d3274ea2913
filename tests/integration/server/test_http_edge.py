"""The HTTP edge of `python -m bot serve`, as a real process on a loopback port: an oversized body is refused
before it is read, unsigned or malformed requests get 401 or 400 (never a 500 with a traceback), a client
that sends its request slowly is cut off, and connections beyond the limit get 503."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx

from bot.demo.slack_standin import SlackStandIn, sign, slash_command_body
from bot.slack.gate import MAX_BODY_BYTES
from tests.support.team import ALICE, CHANNEL

from .process import SIGNING_SECRET, BotProcess, bot_env, leaked, serving

WAIT = 30.0  # the longest any wait below may take before the test fails (a limit, not an assertion)


@contextlib.asynccontextmanager
async def connection(bot: BotProcess) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", int(bot.env["PORT"]))
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def status_of(reader: asyncio.StreamReader) -> int:
    """The status code of the answer on a raw connection."""
    line = await asyncio.wait_for(reader.readline(), WAIT)
    assert line.startswith(b"HTTP/1.1 "), line
    return int(line.split()[1])


def head(length: str | None = None, *, chunked: bool = False, extra: str = "") -> bytes:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-www-form-urlencoded",
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


async def test_an_oversized_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=WAIT) as http,
        ):
            # A declared length over the limit: 413 at once, though not one byte of the body was sent.
            async with connection(bot) as (reader, writer):
                writer.write(head(str(64 * 1024 * 1024)))
                await writer.drain()
                assert await status_of(reader) == 413

            # No length (chunked): the chunks are counted, and the answer comes once they pass the limit.
            async with connection(bot) as (reader, writer):
                writer.write(head(chunked=True))
                chunk = b"x" * (256 * 1024)
                sent = 0
                answer = asyncio.ensure_future(status_of(reader))
                with contextlib.suppress(ConnectionError):
                    while not answer.done() and sent < 64 * 1024 * 1024:
                        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        await writer.drain()
                        sent += len(chunk)
                try:
                    status = await answer
                except ConnectionResetError:  # closed with our unread bytes in it: the reset may overtake
                    status = 413  # the 413; either way the bot stopped reading
                assert status == 413
                assert sent < 64 * 1024 * 1024  # refused long before the client was done

            # Exactly at the limit, signed: no 413 (a form body bolt parses and answers).
            filler = "&pad=" + "x" * (MAX_BODY_BYTES - 200)
            body = slash_command_body(
                "/pool", "list prod-pg", user=ALICE, channel=CHANNEL, response_url=slack.response_url("big")
            )
            body = (body + filler)[:MAX_BODY_BYTES]
            answer_at_limit = await http.post(
                "/slack/events", content=body, headers=sign(body, SIGNING_SECRET)
            )
            assert answer_at_limit.status_code == 200
            await slack.wait_for(
                lambda s: len(s.webhooks) == 1, what="the answer to the command at the limit"
            )

            assert (await http.get("/healthz")).status_code == 200
            await bot.terminate()
    assert "Traceback" not in bot.output, bot.output
    assert leaked(bot.output) == []


async def test_unsigned_or_malformed_requests_get_401_or_400_never_500(tmp_path: Path) -> None:
    command = slash_command_body("/pool", "list prod-pg", user=ALICE, channel=CHANNEL)
    now = str(int(time.time()))
    unsigned = {
        "timestamp not a number": {**sign(command, SIGNING_SECRET), "X-Slack-Request-Timestamp": "soon"},
        "empty signature": {**sign(command, SIGNING_SECRET), "X-Slack-Signature": ""},
        "no headers at all": {"Content-Type": "application/x-www-form-urlencoded"},
        "signature not v0 hex": {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v1=zz"},
    }
    malformed = {
        "payload is not JSON": "payload=%7Bnot-json",
        "JSON body is not JSON": "{not json",
        "not UTF-8": "caf\udce9",  # a lone byte 0xE9 once encoded with surrogateescape
        "payload is a list": "payload=" + quote("[]"),
        "JSON body is a list": "[]",
        # a view_submission whose view lacks its `type`: bolt raised KeyError while matching listeners
        "view without a type": "payload="
        + quote(json.dumps({"type": "view_submission", "user": {"id": ALICE}, "view": {"callback_id": "x"}})),
    }
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=WAIT) as http,
        ):
            for what, headers in unsigned.items():
                answer = await http.post("/slack/events", content=command, headers=headers)
                assert answer.status_code == 401, what
            for what, text in malformed.items():
                raw = text.encode("utf-8", "surrogateescape")
                headers = _sign_bytes(raw)
                if what.startswith("JSON"):
                    headers["Content-Type"] = "application/json"
                answer = await http.post("/slack/events", content=raw, headers=headers)
                assert answer.status_code == 400, what
            assert (await http.get("/healthz")).status_code == 200
            await bot.terminate()
    assert "Traceback" not in bot.output, bot.output
    assert leaked(bot.output) == []
    assert slack.calls == [] or all(call.method == "auth.test" for call in slack.calls)


def _sign_bytes(body: bytes) -> dict[str, str]:
    """Slack's v0 signature of raw bytes (the stand-in's `sign` takes text)."""
    import hashlib
    import hmac

    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


async def test_a_client_sending_its_request_slowly_is_cut_off(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack, HTTP_REQUEST_TIMEOUT_SECONDS="1")
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=WAIT) as http,
        ):
            # Half a request head, then nothing: the server closes the connection.
            async with connection(bot) as (reader, writer):
                writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                await writer.drain()
                assert await asyncio.wait_for(reader.read(), WAIT) == b""
            # The head, then a body that never ends.
            async with connection(bot) as (reader, writer):
                writer.write(head("1000"))
                writer.write(b"x" * 10)
                await writer.drain()
                assert await asyncio.wait_for(reader.read(), WAIT) == b""
            # Meanwhile, and after, everyone else is served.
            assert (await http.get("/healthz")).status_code == 200
            await bot.terminate()
    assert "Traceback" not in bot.output, bot.output


async def test_connections_beyond_the_limit_get_503(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack, HTTP_MAX_CONNECTIONS="3")
        async with serving(env, tmp_path) as bot:
            async with contextlib.AsyncExitStack() as idle:
                for _ in range(3):
                    await idle.enter_async_context(connection(bot))
                async with httpx.AsyncClient(base_url=bot.base_url, timeout=WAIT) as http:
                    assert (await http.get("/healthz")).status_code == 503
            async with httpx.AsyncClient(base_url=bot.base_url, timeout=WAIT) as http:

                async def served() -> bool:
                    return (await http.get("/healthz")).status_code == 200

                deadline = asyncio.get_running_loop().time() + WAIT
                while not await served():  # the idle connections' close reaches the server
                    assert asyncio.get_running_loop().time() < deadline
                    await asyncio.sleep(0.05)
            await bot.terminate()
