"""A bare bolt `AsyncApp` whose handlers only ack: the baseline dbops's ack path is compared with.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… SLACK_API_URL=… python -m benchmarks.bare_app --port 3100

Served as `python -m bot serve` serves dbops: Starlette, bolt's Starlette handler on `POST /slack/events`,
uvicorn with the same settings as `bot.server.serve` (no access log, our logging set-up, 30 s graceful
shutdown), the same signature check and a Web API client pointed at the same Slack stand-in.
"""

from __future__ import annotations

import argparse
import os
import re

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.logs import configure_logging


def build() -> Starlette:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(
        client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=False
    )

    @app.command(re.compile(r"^/.*"))
    async def command(ack: AsyncAck) -> None:
        await ack()

    @app.action(re.compile(r".*"))
    async def action(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    args = parser.parse_args()
    configure_logging("INFO", "json")
    config = uvicorn.Config(
        build(),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
