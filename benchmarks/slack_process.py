"""The Slack stand-in (`bot.demo.slack_standin`) in its own process, so that answering the bot's Web API calls
costs the load generator nothing; a control endpoint says what the bot has done so far.

    python -m benchmarks.slack_process --control-port 4100

`GET /bench/urls`: the stand-in's `api_url` (the bot's `SLACK_API_URL`) and a `response_url` base.
`GET /bench/summary`: Web API calls by method, `response_url` answers, cards posted and stored, results
posted in threads. `GET /bench/cards`: the cards posted with their buttons (request id, channel, ts), oldest
first.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from aiohttp import web

from benchmarks.cards import posted_cards
from bot.demo.slack_standin import SlackStandIn

RESULT_MARKERS = ("The change succeeded", "The change failed")


def _stored(slack: SlackStandIn) -> set[str]:
    return {m.ts for m in posted_cards(slack)}


def control_app(slack: SlackStandIn) -> web.Application:
    async def urls(_: web.Request) -> web.Response:
        return web.json_response({"api_url": slack.api_url, "response_url": slack.response_url("bench")})

    async def summary(_: web.Request) -> web.Response:
        cards = [m for m in slack.messages if m.thread_ts is None]
        stored = _stored(slack)
        results = [
            m for m in slack.messages if m.thread_ts is not None and any(k in m.text for k in RESULT_MARKERS)
        ]
        return web.json_response(
            {
                "calls": dict(Counter(call.method for call in slack.calls)),
                "webhooks": len(slack.webhooks),
                "cards": len(cards),
                "stored_cards": sum(1 for m in cards if m.ts in stored),
                "results": len(results),
                "succeeded": sum(1 for m in results if "succeeded" in m.text),
            }
        )

    async def cards(_: web.Request) -> web.Response:
        stored = _stored(slack)
        listed = [
            {"request_id": m.text.split(":", 1)[0], "channel": m.channel, "ts": m.ts}
            for m in slack.messages
            if m.thread_ts is None and m.ts in stored
        ]
        return web.json_response(listed)

    app = web.Application()
    app.router.add_get("/bench/urls", urls)
    app.router.add_get("/bench/summary", summary)
    app.router.add_get("/bench/cards", cards)
    return app


async def run(control_port: int) -> None:
    async with SlackStandIn() as slack:
        runner = web.AppRunner(control_app(slack), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", control_port).start()
        try:
            await asyncio.Event().wait()  # until SIGTERM ends the process
        finally:
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.slack_process")
    parser.add_argument("--control-port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(run(args.control_port))


if __name__ == "__main__":
    main()
