"""Drill 8, oversized bodies: 256 MiB posted to `/slack/events` with its length declared, 256 MiB streamed
without one, and 32 MiB of form fields, while `/healthz` is polled. Every one is refused (413, or a reset
that overtakes it) once the limit is passed; the process's peak memory stays near its resting size and
`/healthz` keeps answering. The figures (time to refuse, peak memory, slowest `/healthz`) are recorded for
docs/RELIABILITY.md, never asserted."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.slack.gate import MAX_BODY_BYTES

from .figures import Board
from .stack import BotProcess, Stack

MIB = 1024 * 1024
LIMIT = 120.0  # the longest one attempt may take before the drill fails (a limit, not an assertion)


def memory_kib(bot: BotProcess, field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (peak) of the bot's process, in KiB."""
    assert bot.process is not None
    for line in Path(f"/proc/{bot.process.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc status")


def head(length: int | None) -> bytes:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-www-form-urlencoded",
    ]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def post_huge(bot: BotProcess, total: int, *, declared: bool, chunk: bytes) -> tuple[int, int, float]:
    """Send up to `total` bytes until the bot answers; (status, bytes sent, seconds until the answer).

    Status 0: the connection was reset before the answer could be read. A server that closes a connection
    with unread bytes in it resets it, and the reset may overtake its 413: the body was refused all the same.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
    started = time.perf_counter()
    sent = 0
    try:
        writer.write(head(total if declared else None))
        answer = asyncio.ensure_future(asyncio.wait_for(reader.readline(), LIMIT))
        with contextlib.suppress(ConnectionError):
            while not answer.done() and sent < total:
                piece = chunk if declared else f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                writer.write(piece)
                await writer.drain()
                sent += len(chunk)
        try:
            line = await answer
        except ConnectionResetError:  # the bot closed without reading the rest: the kernel answers with RST
            line = b"HTTP/1.1 0 reset"
        seconds = time.perf_counter() - started
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert line.startswith(b"HTTP/1.1 "), line
    return int(line.split()[1]), sent, seconds


@contextlib.asynccontextmanager
async def polling_health(stack: Stack, bot: BotProcess) -> AsyncIterator[list[float]]:
    """Poll `/healthz` in the background; yields the list of each answer's latency (s)."""
    latencies: list[float] = []
    stop = asyncio.Event()

    async def poll() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            answer = await stack.http.get(f"{bot.url}/healthz")
            assert answer.status_code == 200
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)

    task = asyncio.create_task(poll())
    try:
        yield latencies
    finally:
        stop.set()
        await task


@pytest.mark.postgres
async def test_oversized_bodies_are_refused_cheaply(stack: Stack, board: Board) -> None:
    [bot] = await stack.start_bots(1)
    resting = memory_kib(bot, "VmRSS")
    attempts = {
        "256 MiB, length declared": (256 * MIB, True, b"x" * MIB),
        "256 MiB, streamed": (256 * MIB, False, b"x" * MIB),
        "32 MiB of form fields": (32 * MIB, True, b"&a=1" * (MIB // 4)),
    }
    results: dict[str, tuple[int, int, float]] = {}
    async with polling_health(stack, bot) as latencies:
        for what, (total, declared, chunk) in attempts.items():
            results[what] = await post_huge(bot, total, declared=declared, chunk=chunk)
    # At the limit: 1 MiB of form fields, unsigned (refused after the HMAC) and signed (bolt parses it all)
    at_limit = ("a=1&" * (MAX_BODY_BYTES // 4))[:MAX_BODY_BYTES]
    at_limit_figures: list[str] = []
    for what, headers in (
        ("unsigned", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("signed", None),
    ):
        async with polling_health(stack, bot) as during:
            started = time.perf_counter()
            answer = await stack.post(bot, at_limit, headers=headers)
            seconds = time.perf_counter() - started
        assert answer.status_code < 500, what
        assert answer.status_code != 413, what
        slowest = f"{max(during) * 1000:.0f} ms" if during else "none polled"
        at_limit_figures.append(
            f"1 MiB of form fields, {what}: {answer.status_code} in {seconds * 1000:.0f} ms "
            f"(slowest /healthz meanwhile {slowest})"
        )
    peak = memory_kib(bot, "VmHWM")

    for what, (status, sent, _) in results.items():
        assert status in (413, 0), what
        assert sent < attempts[what][0], what  # refused before the client was done
    assert peak - resting < 64 * 1024  # KiB: the body is never held, whatever its size
    assert latencies  # /healthz answered throughout
    errors = stack.unexpected_errors()
    timings = "; ".join(
        f"{what}: {status or 'reset'} after {sent / MIB:.0f} MiB sent, {seconds * 1000:.0f} ms"
        for what, (status, sent, seconds) in results.items()
    )
    board.add(
        "oversized_body",
        requests=len(attempts) + 2,
        faults=len(attempts) + 1,
        unexpected_errors=len(errors),
        note=(
            f"limit {MAX_BODY_BYTES} bytes; {timings}; {'; '.join(at_limit_figures)}; "
            f"peak RSS {peak / 1024:.0f} MiB "
            f"(resting {resting / 1024:.0f} MiB); slowest /healthz {max(latencies) * 1000:.0f} ms "
            f"of {len(latencies)}"
        ),
    )
    assert errors == []
