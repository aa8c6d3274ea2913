"""Load: Slack-signed requests built ahead of time, sent with bounded concurrency, latencies summarised."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import aiohttp

from bot.demo.slack_standin import block_action_body, sign, slash_command_body
from bot.slack import ids

from .processes import SECRET

__all__ = [
    "ALICE",
    "CHANNEL",
    "LEAD",
    "Cell",
    "Signed",
    "approve_click",
    "drive",
    "slash",
    "summarise",
]

CHANNEL = "C0BENCH"
ALICE = "U0ALICE"  # asks
LEAD = "U0LEAD1"  # approves (the default policy lets anyone but the requester approve)
EVENTS = "/slack/events"


@dataclass(frozen=True)
class Signed:
    """One request exactly as Slack would post it: raw form body and its v0 signature headers."""

    body: str
    headers: dict[str, str]


def slash(command: str, text: str, *, response_url: str = "", user: str = ALICE) -> Signed:
    body = slash_command_body(command, text, user=user, channel=CHANNEL, response_url=response_url)
    return Signed(body, sign(body, SECRET))


def approve_click(request_id: str, card_ts: str, *, channel: str = CHANNEL, user: str = LEAD) -> Signed:
    body = block_action_body(
        ids.APPROVE,
        request_id,
        user=user,
        channel=channel,
        message_ts=card_ts,
        block_id=ids.CARD_ACTIONS_BLOCK,
    )
    return Signed(body, sign(body, SECRET))


@dataclass(frozen=True)
class Cell:
    """Ack latency of one (server, kind, concurrency) run: percentiles in milliseconds, throughput in rps."""

    server: str
    kind: str
    concurrency: int
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rps: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _quantile(values: Sequence[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(q * 100) - 1]


def summarise(
    server: str, kind: str, concurrency: int, latencies: list[float], errors: int, wall: float
) -> Cell:
    ms = [value * 1000 for value in latencies] or [0.0]
    return Cell(
        server=server,
        kind=kind,
        concurrency=concurrency,
        count=len(latencies),
        errors=errors,
        p50_ms=round(_quantile(ms, 0.50), 2),
        p95_ms=round(_quantile(ms, 0.95), 2),
        p99_ms=round(_quantile(ms, 0.99), 2),
        max_ms=round(max(ms), 2),
        rps=round(len(latencies) / wall, 1) if wall > 0 else 0.0,
    )


async def drive(
    base_url: str, requests: Sequence[Signed], concurrency: int
) -> tuple[list[float], int, float]:
    """Send `requests` to `/slack/events` with at most `concurrency` in flight (one connection each).

    Returns each answered request's latency in seconds, the number of failures (not HTTP 200 within 3 s,
    which is what Slack allows), and the wall time of the whole run. The client is aiohttp: httpx's pool
    made the load generator itself the bottleneck at 64 connections (see docs/PERFORMANCE.md).
    """
    latencies: list[float] = []
    errors = 0
    queue = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=3.0)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:

        async def worker() -> None:
            nonlocal errors
            for request in queue:
                started = time.perf_counter()
                try:
                    async with client.post(
                        EVENTS, data=request.body.encode(), headers=request.headers
                    ) as answer:
                        await answer.read()
                        ok = answer.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                elapsed = time.perf_counter() - started
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

        async def touch() -> None:
            async with client.get("/healthz") as answer:
                await answer.read()

        # open the connections first, so the run measures answers, not TCP handshakes
        await asyncio.gather(*(touch() for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, errors, wall
