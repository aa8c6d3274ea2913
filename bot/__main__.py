"""`python -m bot serve | demo | check | migrate | audit export` — the bot's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

__all__ = ["main"]

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="dbops: Slack chat-ops for DigitalOcean Managed Databases."
    )
    parser.add_argument("--version", action="version", version=f"dbops {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="migrate the store, then run the bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set)",
    )
    serve.add_argument("--host", help="interface to listen on (default: HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")

    demo = commands.add_parser("demo", help="the whole story on embedded defaults: no Slack, no DigitalOcean")
    demo.add_argument("--quiet", action="store_true", help="print only the final summary")

    commands.add_parser(
        "check",
        help="validate settings and policy, reach the store, Slack and DigitalOcean (exit 1 on failure)",
    )
    commands.add_parser("migrate", help="bring the store (DATABASE_URL) to the newest schema")

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="AUDIT_COMMAND")
    export = audit_commands.add_parser("export", help="write the audit log as JSON lines (oldest first)")
    export.add_argument(
        "--since", type=_when, help="only events at or after this time (ISO 8601; UTC if no zone)"
    )
    export.add_argument("--until", type=_when, help="only events before this time (ISO 8601; UTC if no zone)")
    export.add_argument("--cluster", help="only events on this cluster (its exact name or full id)")
    export.add_argument("--output", "-o", help="write to this file instead of standard output")
    return parser


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time, e.g. 2026-11-26T09:00") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from bot.demo.story import run_demo

            return asyncio.run(run_demo(quiet=args.quiet))
        try:
            settings = load_settings()
        except ConfigError as error:
            if args.command != "check":
                raise
            from bot.check import report_config_error

            return report_config_error(error)
        configure_logging(settings.log_level, settings.log_format)
        if args.command == "serve":
            return _serve(settings, host=args.host, port=args.port)
        if args.command == "check":
            from bot.check import main_check

            return asyncio.run(main_check(settings))
        if args.command == "migrate":
            from bot.store import migrate_database

            where = asyncio.run(migrate_database(settings.database_url))
            print(f"store at {where} is at the newest schema")
            return 0
        if args.command == "audit":
            from bot.audit_cli import export_audit_log

            return asyncio.run(
                export_audit_log(
                    settings, since=args.since, until=args.until, cluster=args.cluster, output=args.output
                )
            )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


def _serve(settings: Settings, *, host: str | None, port: int | None) -> int:
    from bot.runtime import Runtime
    from bot.server import serve
    from bot.store import UnsupportedDatabaseUrl
    from bot.workflow import PolicyError

    problems = settings.problems_for_serve()
    if problems:
        raise ConfigError(problems)
    for name in settings.stripped_secrets:
        log.warning("%s had spaces or a line break around it; they were removed", name)
    try:
        runtime = Runtime.build(settings)
    except (PolicyError, UnsupportedDatabaseUrl) as error:
        raise ConfigError([str(error)]) from None
    serve(runtime, host=host or settings.host, port=port or settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
