"""Execution: Approve click → result posted in the card's thread, on SQLite and on PostgreSQL, with a
zero-latency sandbox (item 3 of docs/PERFORMANCE.md). This is the workflow's own overhead: the store's
transitions, the card edits and thread lines, and the DigitalOcean calls of the change.

    python -m benchmarks.execution                 # 50 approvals per store
    python -m benchmarks.execution --smoke         # 3 approvals per store
    python -m benchmarks.execution --stores sqlite

`serve` runs as a subprocess against `python -m bot.sandbox --latency 0`; the Slack stand-in runs in this
process, so the moment the result line reaches the thread is seen as it happens (no polling). Clicks are
sequential: each is timed alone. The sandbox's own time is measured by replaying the same DigitalOcean calls
an execution makes (cluster list, pools, create, pools) straight at the sandbox with a keep-alive client.

PostgreSQL: a fresh database is created on the server of `TEST_DATABASE_URL` (default
`postgresql://postgres@127.0.0.1:5432/test`) and dropped afterwards; without a server that store is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from benchmarks.cards import posted_cards
from bot.demo.slack_standin import Message, SlackStandIn
from bot.sandbox import SANDBOX_TOKEN

from .load import CHANNEL, approve_click, drive, slash
from .processes import RESULTS, Served, serve_bot, serve_sandbox, write_results
from .report import machine, table

CLUSTER_ID = "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"  # analytics-pg in the sandbox's seed
SUCCEEDED = "The change succeeded"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str | None]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards; None when no server answers."""
    admin = make_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"dbops_bench_{uuid.uuid4().hex[:10]}"
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL skipped: no server at {admin.host}:{admin.port} ({type(error).__name__})")
        yield None
        return
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield admin.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def _result_in_thread(slack: SlackStandIn, ts: str) -> bool:
    return any(m.thread_ts == ts and SUCCEEDED in m.text for m in reversed(slack.messages))


async def _metrics_mean(bot: Served, name: str) -> float | None:
    """The mean of a Prometheus histogram the bot exports (all labels together), in ms."""
    async with httpx.AsyncClient(base_url=bot.url) as client:
        text = (await client.get("/metrics")).text
    total = sum(float(v) for v in re.findall(rf"^{name}_sum\{{[^}}]*\}} (\S+)$", text, re.M))
    count = sum(float(v) for v in re.findall(rf"^{name}_count\{{[^}}]*\}} (\S+)$", text, re.M))
    return round(1000 * total / count, 2) if count else None


async def sandbox_own_time(sandbox: Served, count: int) -> list[float]:
    """The DigitalOcean calls of one pool create's execution, replayed straight at the sandbox."""
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    pools = f"/v2/databases/{CLUSTER_ID}/pools"
    timings = []
    async with httpx.AsyncClient(base_url=sandbox.url, headers=headers) as client:
        await client.get("/v2/databases")
        for i in range(count):
            started = time.perf_counter()
            (await client.get("/v2/databases")).raise_for_status()
            (await client.get(pools)).raise_for_status()
            body = {"name": f"replay-{i:04d}", "mode": "transaction", "size": 1, "db": "events"}
            (await client.post(pools, json=body)).raise_for_status()
            (await client.get(pools)).raise_for_status()
            timings.append(time.perf_counter() - started)
    return timings


def _stats(values: Sequence[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2), "max_ms": round(ms[-1], 2)}


async def _click_all(
    http: httpx.AsyncClient,
    slack: SlackStandIn,
    cards: Sequence[Message],
    warm: int,
    clicks: list[float],
    acks: list[float],
) -> None:
    """Approve each card in turn; time the ack and the result line in the thread."""
    for index, card in enumerate(cards):
        request_id = card.text.split(":", 1)[0]
        click = approve_click(request_id, card.ts, channel=card.channel or CHANNEL)
        started = time.perf_counter()
        response = await http.post("/slack/events", content=click.body, headers=click.headers)
        acked = time.perf_counter()
        response.raise_for_status()
        await slack.wait_for(
            lambda s, ts=card.ts: _result_in_thread(s, ts), timeout=30, what=f"the result of {request_id}"
        )
        if index >= warm:  # the first clicks warm the code paths up; they are not counted
            clicks.append(time.perf_counter() - started)
            acks.append(acked - started)


@contextlib.asynccontextmanager
async def profiled(pid: int, out: Path | None) -> AsyncIterator[None]:
    """With `out`, record `pid` with py-spy (sampling, idle included) while the block runs."""
    if out is None:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--rate",
        "1000",
        "--idle",
        "--format",
        "raw",
        "-o",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        await spy.wait()
        print(f"py-spy profile of the bot: {out}")


async def run_store(
    store: str, database_url: str, count: int, workdir: Path, profile: Path | None = None
) -> dict[str, Any]:
    async with (
        SlackStandIn() as slack,
        serve_sandbox(workdir, latency=0.0) as sandbox,
        serve_bot(
            workdir,
            slack_api_url=slack.api_url,
            digitalocean_url=sandbox.url,
            database_url=database_url,
            name=f"dbops-{store}",
        ) as bot,
        httpx.AsyncClient(base_url=bot.url, timeout=10) as http,
    ):
        hook = slack.response_url("bench")
        warm = 2
        creates = [
            slash(
                "/pool",
                f"create analytics-pg exec-{i:04d} db=events size=1 mode=transaction",
                response_url=hook,
            )
            for i in range(count + warm)
        ]
        await drive(bot.url, creates, 4)
        await slack.wait_for(lambda s: len(posted_cards(s)) >= count + warm, timeout=60, what="the cards")
        cards = posted_cards(slack)
        clicks, acks = [], []
        async with profiled(bot.pid, profile):
            await _click_all(http, slack, cards, warm, clicks, acks)
        own = await sandbox_own_time(sandbox, count)
        execution_mean = await _metrics_mean(bot, "dbops_execution_seconds")
        slack_calls = len(slack.calls)
    result = {
        "store": store,
        "count": count,
        "approve_to_result": _stats(clicks),
        "ack": _stats(acks),
        "sandbox_own": _stats(own),
        "engine_execution_mean_ms": execution_mean,
        "slack_calls": slack_calls,
    }
    result["overhead_p50_ms"] = round(
        result["approve_to_result"]["p50_ms"] - result["sandbox_own"]["p50_ms"], 2
    )
    result["target_met"] = result["overhead_p50_ms"] <= 30 if store == "sqlite" else None
    return result


def _profile(args: argparse.Namespace, store: str) -> Path | None:
    return args.results / f"execution-{store}.pyspy.txt" if args.py_spy else None


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="dbops-bench-") as scratch:
        workdir = Path(scratch)
        for store in args.stores:
            print(f"store {store}", flush=True)
            if store == "sqlite":
                results.append(
                    await run_store(store, f"sqlite:///{workdir / 'exec.db'}", args.count, workdir)
                )
                continue
            async with fresh_postgres() as url:
                if url is not None:
                    results.append(await run_store(store, url, args.count, workdir, _profile(args, store)))
    rows = [
        [
            r["store"],
            r["count"],
            r["approve_to_result"]["p50_ms"],
            r["approve_to_result"]["p99_ms"],
            r["sandbox_own"]["p50_ms"],
            r["overhead_p50_ms"],
            r["ack"]["p50_ms"],
            r["engine_execution_mean_ms"],
            "yes" if r["target_met"] else ("NO" if r["target_met"] is False else "-"),
        ]
        for r in results
    ]
    headers = [
        "store",
        "n",
        "click→result p50 ms",
        "p99 ms",
        "sandbox own p50 ms",
        "overhead p50 ms",
        "ack p50 ms",
        "engine exec mean ms",
        "≤ 30 ms",
    ]
    print(table("Approve click → result in the thread (DigitalOcean at 0 s)", headers, rows))
    return {"machine": machine(), "settings": {"count": args.count}, "stores": results}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.execution", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=50, help="approvals timed per store (default 50)")
    parser.add_argument("--stores", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--smoke", action="store_true", help="3 approvals per store")
    parser.add_argument("--py-spy", action="store_true", help="profile the bot during the clicks (py-spy)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write execution.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count = 3
    data = asyncio.run(main_async(args))
    path = write_results(args.results, "execution-smoke" if args.smoke else "execution", data)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
