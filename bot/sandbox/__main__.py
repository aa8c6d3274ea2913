"""`python -m bot.sandbox --port 4010`: serve the seeded DigitalOcean sandbox over HTTP."""

from __future__ import annotations

import argparse

from .app import create_app
from .server import serve
from .state import SANDBOX_TOKEN, SandboxState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox",
        description="Serve a stand-in for DigitalOcean's Managed Databases API (seeded account, in memory).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4010, help="port to listen on (default 4010)")
    parser.add_argument("--token", default=SANDBOX_TOKEN, help="bearer token to accept")
    parser.add_argument("--empty", action="store_true", help="start with no clusters instead of the seed")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to add to every answer")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    state = SandboxState() if args.empty else SandboxState.seeded()
    state.latency = args.latency
    print(
        f"DigitalOcean sandbox on http://{args.host}:{args.port} "
        f"(DIGITALOCEAN_API_URL=http://{args.host}:{args.port}, token: the --token value)"
    )
    serve(create_app(state, token=args.token), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
