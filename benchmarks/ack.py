"""Ack path: dbops (`python -m bot serve`) against a bare bolt app that only acks, with DigitalOcean fast and
slow, and the peak memory of `serve` afterwards (items 1, 2 and 5 of docs/PERFORMANCE.md).

    python -m benchmarks.ack               # 128 requests per cell, concurrency 1/16/64, DO at 0 s and 2 s
    python -m benchmarks.ack --smoke       # a few requests: checks the script still works
    python -m benchmarks.ack --count 64 --latencies 0

For each DigitalOcean latency a fresh sandbox (`python -m bot.sandbox --latency S`) and a fresh bot (SQLite
store in a scratch directory) are started; the bare app and the Slack stand-in live for the whole run. Each
cell (kind × concurrency) is sent to the bare app, then to dbops; after a dbops cell the script waits until
the bot has finished the work behind the acks (answers posted, cards stored, results in threads), so one
cell's background work does not spill into the next. `/pool create` cells leave pending requests; the Approve
cells click those, one fresh request per click.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .load import Cell, Signed, approve_click, drive, slash, summarise
from .processes import RESULTS, Served, serve_bare, serve_bot, serve_sandbox, serve_slack, write_results
from .report import machine, table

KINDS = ("pool list", "pool create", "approve")
# Where the creates go: each pool takes 1 backend connection (analytics-pg allows 397, prod-pg 67 more).
CREATE_TARGETS = (("analytics-pg", "events", 390), ("prod-pg", "app", 60))


def create_text(tag: str, index: int) -> str:
    for cluster, db, room in CREATE_TARGETS:
        if index < room:
            return f"create {cluster} {tag}-{index:04d} db={db} size=1 mode=transaction"
        index -= room
    raise SystemExit("too many creates for the seeded clusters' capacity; lower --count")


@dataclass
class Pass:
    """One DigitalOcean latency: its cells, what the bot completed, and the bot's peak memory."""

    latency: float
    cells: list[Cell] = field(default_factory=list)
    completed: list[dict[str, Any]] = field(default_factory=list)
    peak_rss_mb: float = 0.0


async def _summary(control: httpx.AsyncClient) -> dict[str, Any]:
    answer: dict[str, Any] = (await control.get("/bench/summary")).json()
    return answer


async def _settle(control: httpx.AsyncClient, key: str, target: int, timeout: float) -> tuple[int, float]:
    """Wait until the stand-in's `key` count reaches `target`; returns (count reached, seconds waited)."""
    started = time.monotonic()
    while True:
        seen = int((await _summary(control))[key])
        waited = time.monotonic() - started
        if seen >= target or waited > timeout:
            return seen, waited
        await asyncio.sleep(0.05)


_SETTLE_KEY = {"pool list": "webhooks", "pool create": "stored_cards", "approve": "succeeded"}


async def run_pass(
    latency: float, args: argparse.Namespace, workdir: Path, slack: Served, bare: Served
) -> Pass:
    result = Pass(latency)
    response_url = slack.info["response_url"]
    timeout = 60.0 + 120.0 * latency
    async with (
        serve_sandbox(workdir, latency=latency) as sandbox,
        serve_bot(
            workdir,
            slack_api_url=slack.info["api_url"],
            digitalocean_url=sandbox.url,
            database_url=f"sqlite:///{workdir / f'dbops-{latency:g}.db'}",
            name=f"dbops-{latency:g}s",
        ) as bot,
        httpx.AsyncClient(base_url=slack.url, timeout=10) as control,
    ):
        # warm both servers up the same way: help (no background work), then a few reads
        for server in (bare, bot):
            await drive(server.url, [slash("/pool", "help") for _ in range(20)], 4)
        before = int((await _summary(control))["webhooks"])
        await drive(bot.url, [slash("/pool", "list prod-pg", response_url=response_url) for _ in range(4)], 1)
        await drive(
            bare.url, [slash("/pool", "list prod-pg", response_url=response_url) for _ in range(4)], 1
        )
        await _settle(control, "webhooks", before + 4, timeout)

        cards_before = len((await control.get("/bench/cards")).json())
        created = 0
        pending: list[dict[str, str]] = []
        for kind in KINDS:
            if kind == "approve":
                cards = (await control.get("/bench/cards")).json()
                pending = cards[cards_before:]
            for concurrency in args.concurrency:
                requests: list[Signed]
                if kind == "pool list":
                    requests = [slash("/pool", "list prod-pg", response_url=response_url)] * args.count
                elif kind == "pool create":
                    tag = f"bench-l{latency:g}-c{concurrency}".replace(".", "")
                    requests = [
                        slash("/pool", create_text(tag, created + i), response_url=response_url)
                        for i in range(args.count)
                    ]
                    created += args.count
                else:
                    if len(pending) < args.count:
                        raise SystemExit(f"only {len(pending)} pending requests left to approve")
                    chosen, pending = pending[: args.count], pending[args.count :]
                    requests = [
                        approve_click(card["request_id"], card["ts"], channel=card["channel"])
                        for card in chosen
                    ]
                for server in (bare, bot):
                    key = _SETTLE_KEY[kind]
                    start_count = int((await _summary(control))[key])
                    latencies, errors, wall = await drive(server.url, requests, concurrency)
                    cell = summarise(server.name.split("-")[0], kind, concurrency, latencies, errors, wall)
                    result.cells.append(cell)
                    if server is bot:
                        reached, waited = await _settle(control, key, start_count + args.count, timeout)
                        result.completed.append(
                            {
                                "kind": kind,
                                "concurrency": concurrency,
                                "done": reached - start_count,
                                "of": args.count,
                                "seconds": round(waited, 2),
                            }
                        )
                    print(
                        f"  DO {latency:g}s {cell.server:5} {kind:11} c={concurrency:<3} "
                        f"p50 {cell.p50_ms:7.2f} ms  p99 {cell.p99_ms:7.2f} ms  {cell.rps:7.1f} rps"
                        + (f"  errors {cell.errors}" if cell.errors else ""),
                        flush=True,
                    )
        result.peak_rss_mb = round(bot.peak_rss_mb(), 1)
    return result


def _find(cells: Sequence[Cell], server: str, kind: str, concurrency: int) -> Cell:
    return next(c for c in cells if (c.server, c.kind, c.concurrency) == (server, kind, concurrency))


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b > 0 else float("inf")


def analyse(passes: Sequence[Pass], concurrency: Sequence[int]) -> dict[str, Any]:
    ratios = []
    for one in passes:
        for kind in KINDS:
            for c in concurrency:
                dbops, bare = _find(one.cells, "dbops", kind, c), _find(one.cells, "bare", kind, c)
                ratios.append(
                    {
                        "latency": one.latency,
                        "kind": kind,
                        "concurrency": c,
                        "p50": _ratio(dbops.p50_ms, bare.p50_ms),
                        "p99": _ratio(dbops.p99_ms, bare.p99_ms),
                        "rps": _ratio(dbops.rps, bare.rps),
                        "target_met": dbops.p99_ms <= 1.5 * bare.p99_ms,
                    }
                )
    slow = []
    fast = next((p for p in passes if p.latency == 0), None)
    for one in passes:
        if fast is None or one is fast:
            continue
        for kind in KINDS:
            for c in concurrency:
                now, base = _find(one.cells, "dbops", kind, c), _find(fast.cells, "dbops", kind, c)
                bare_now, bare_base = _find(one.cells, "bare", kind, c), _find(fast.cells, "bare", kind, c)
                slow.append(
                    {
                        "latency": one.latency,
                        "kind": kind,
                        "concurrency": c,
                        "p50": _ratio(now.p50_ms, base.p50_ms),
                        "p99": _ratio(now.p99_ms, base.p99_ms),
                        "bare_p99": _ratio(bare_now.p99_ms, bare_base.p99_ms),
                        "target_met": now.p99_ms <= 1.1 * base.p99_ms,
                    }
                )
    return {"ratios": ratios, "slow_digitalocean": slow}


def print_tables(passes: Sequence[Pass], analysis: dict[str, Any], bare_peak: float) -> None:
    for one in passes:
        rows = [
            [c.server, c.kind, c.concurrency, c.count, c.errors, c.p50_ms, c.p95_ms, c.p99_ms, c.rps]
            for c in one.cells
        ]
        headers = ["server", "kind", "conc", "n", "err", "p50 ms", "p95 ms", "p99 ms", "rps"]
        print(table(f"Ack latency, DigitalOcean at {one.latency:g} s", headers, rows))
    rows = [
        [
            r["latency"],
            r["kind"],
            r["concurrency"],
            r["p50"],
            r["p99"],
            r["rps"],
            "yes" if r["target_met"] else "NO",
        ]
        for r in analysis["ratios"]
    ]
    headers = ["DO s", "kind", "conc", "p50 ×", "p99 ×", "rps ×", "p99 ≤ 1.5×"]
    print(table("dbops / bare", headers, rows))
    if analysis["slow_digitalocean"]:
        rows = [
            [
                r["latency"],
                r["kind"],
                r["concurrency"],
                r["p50"],
                r["p99"],
                r["bare_p99"],
                "yes" if r["target_met"] else "NO",
            ]
            for r in analysis["slow_digitalocean"]
        ]
        headers = ["DO s", "kind", "conc", "dbops p50 ×", "dbops p99 ×", "bare p99 ×", "p99 ≤ 1.1×"]
        print(table("DigitalOcean slow / fast (dbops at S s over dbops at 0 s)", headers, rows))
    done = [
        [p.latency, c["kind"], c["concurrency"], f"{c['done']}/{c['of']}", c["seconds"]]
        for p in passes
        for c in p.completed
    ]
    print(table("Work behind the acks, completed", ["DO s", "kind", "conc", "done", "waited s"], done))
    peaks = [[f"dbops (DO {p.latency:g} s)", p.peak_rss_mb] for p in passes] + [["bare", bare_peak]]
    print(table("Peak RSS (VmHWM) after the runs", ["process", "MiB"], peaks))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dbops-bench-") as scratch:
        workdir = Path(scratch)
        async with (
            serve_slack(workdir) as slack,
            serve_bare(workdir, slack_api_url=slack.info["api_url"]) as bare,
        ):
            passes = []
            for latency in args.latencies:
                print(f"DigitalOcean latency {latency:g} s", flush=True)
                passes.append(await run_pass(latency, args, workdir, slack, bare))
            bare_peak = round(bare.peak_rss_mb(), 1)
    analysis = analyse(passes, args.concurrency)
    print_tables(passes, analysis, bare_peak)
    return {
        "machine": machine(),
        "settings": {"count": args.count, "concurrency": args.concurrency, "latencies": args.latencies},
        "cells": [{"latency": p.latency, **cell.as_dict()} for p in passes for cell in p.cells],
        "completed": [{"latency": p.latency, **c} for p in passes for c in p.completed],
        **analysis,
        "memory": {
            "dbops_peak_rss_mb": max(p.peak_rss_mb for p in passes),
            "bare_peak_rss_mb": bare_peak,
            "target_met": max(p.peak_rss_mb for p in passes) <= 150,
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ack", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=128, help="requests per cell (default 128)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 2.0], help="sandbox latencies, s")
    parser.add_argument("--smoke", action="store_true", help="6 requests per cell, concurrency 1 and 4, 0 s")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write ack.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.concurrency, args.latencies = 6, [1, 4], [0.0]
    data = asyncio.run(main_async(args))
    path = write_results(args.results, "ack-smoke" if args.smoke else "ack", data)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
