"""Calls: the DigitalOcean calls each operation makes through the whole bot, counted by the sandbox
(item 4 of docs/PERFORMANCE.md), against what docs/OPERATIONS.md promises.

    python -m benchmarks.calls            # (--smoke is accepted and runs the same: it is already short)

`serve` runs as a subprocess; the sandbox (seeded, 0 s) and the Slack stand-in run in this process so the
sandbox's own call log (`state.calls`) can be read. Each step is a signed slash command or Approve click;
the script waits until the bot has answered (reply, card, or result in the thread) and then reads which
operations the sandbox received. The cluster list is cached for 30 s and dropped after every write, so a
step is "cold" (the list is read) or "warm" (it is not); the promise is checked for the case that occurred.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cards import posted_cards
from bot.demo.slack_standin import SlackStandIn
from bot.sandbox import SandboxState, create_app
from bot.sandbox.server import serve_in_background

from .load import LEAD, Signed, approve_click, slash
from .processes import RESULTS, serve_bot, write_results
from .report import machine, table

LEAD2 = "U0LEAD2"
RESULT_MARKERS = ("The change succeeded", "The change failed")

# docs/OPERATIONS.md: the reads of each plan with the cluster list cached ("warm"); a cold step adds one
# call (`list_clusters`). Every execution is the fresh read, the one write and the read-back (3 warm).
PROMISED_WARM = {
    "pool list": ["list_pools"],
    "pool.create plan": ["list_pools", "list_users"],
    "pool.resize plan": ["list_pools"],
    "pool.delete plan": ["list_pools"],
    "db.create plan": [],
    "db.drop plan": ["list_pools", "list_backups"],
}
EXECUTE_WARM = 3


def _results(slack: SlackStandIn) -> int:
    return sum(1 for m in slack.messages if m.thread_ts and any(k in m.text for k in RESULT_MARKERS))


async def measure(count: int) -> list[dict[str, Any]]:
    state = SandboxState.seeded()
    steps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="dbops-bench-") as scratch:
        workdir = Path(scratch)
        async with (
            SlackStandIn() as slack,
            serve_in_background(create_app(state)) as do_url,
            serve_bot(
                workdir,
                slack_api_url=slack.api_url,
                digitalocean_url=do_url,
                database_url=f"sqlite:///{workdir / 'calls.db'}",
                name="dbops-calls",
            ) as bot,
            httpx.AsyncClient(base_url=bot.url, timeout=10) as http,
        ):
            hook = slack.response_url("bench")

            async def step(name: str, sends: Sequence[Signed], done: Callable[[SlackStandIn], bool]) -> None:
                state.reset_calls()
                for signed in sends:
                    (
                        await http.post("/slack/events", content=signed.body, headers=signed.headers)
                    ).raise_for_status()
                await slack.wait_for(done, timeout=30, what=name)
                ops = [call.operation for call in state.calls]
                cold = "list_clusters" in ops
                if name.endswith("execute"):
                    promised = EXECUTE_WARM + int(cold)
                else:
                    promised = len(PROMISED_WARM[name]) + int(cold)
                steps.append(
                    {
                        "step": name,
                        "cache": "cold" if cold else "warm",
                        "calls": len(ops),
                        "promised": promised,
                        "operations": ops,
                        "within_promise": len(ops) <= promised,
                    }
                )

            async def change(action: str, command: str, text: str, approvers: Sequence[str]) -> None:
                cards = len(posted_cards(slack))
                await step(
                    f"{action} plan",
                    [slash(command, text, response_url=hook)],
                    lambda s: len(posted_cards(s)) > cards,
                )
                card = posted_cards(slack)[-1]
                request_id = card.text.split(":", 1)[0]
                results = _results(slack)
                clicks = [approve_click(request_id, card.ts, channel=card.channel, user=u) for u in approvers]
                await step(f"{action} execute", clicks, lambda s: _results(s) > results)

            for round_ in range(count):
                for _ in range(2):  # cold (first, or after the last round's writes), then warm
                    hooks = len(slack.webhooks)
                    await step(
                        "pool list",
                        [slash("/pool", "list prod-pg", response_url=hook)],
                        lambda s, seen=hooks: len(s.webhooks) > seen,
                    )
                pool, db = f"calls-{round_}", f"callsdb{round_}"
                await change(
                    "pool.create",
                    "/pool",
                    f"create prod-pg {pool} db=app size=5 mode=transaction user=app",
                    [LEAD],
                )
                await change("pool.resize", "/pool", f"resize prod-pg {pool} size=8", [LEAD])
                await change("pool.delete", "/pool", f"delete prod-pg {pool}", [LEAD])
                await change("db.create", "/db", f"create prod-pg {db}", [LEAD])
                await change("db.drop", "/db", f"drop prod-pg {db}", [LEAD, LEAD2])
    return steps


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calls", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="times to run the whole sequence (default 2)")
    parser.add_argument("--smoke", action="store_true", help="one round")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write calls.json")
    args = parser.parse_args(argv)
    steps = asyncio.run(measure(1 if args.smoke else args.rounds))
    rows = [
        [
            s["step"],
            s["cache"],
            s["calls"],
            s["promised"],
            "yes" if s["within_promise"] else "NO",
            " ".join(s["operations"]),
        ]
        for s in steps
    ]
    print(
        table(
            "DigitalOcean calls per operation",
            ["step", "cache", "calls", "promised", "≤ promise", "operations"],
            rows,
        )
    )
    data = {
        "machine": machine(),
        "steps": steps,
        "all_within_promise": all(s["within_promise"] for s in steps),
    }
    path = write_results(args.results, "calls-smoke" if args.smoke else "calls", data)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
