"""`python -m bot audit export`: the audit log as JSON lines, to a file or standard output."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.store import Store
from bot.workflow import export_audit

__all__ = ["export_audit_log"]


async def export_audit_log(
    settings: Settings,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    cluster: str | None = None,
    output: str | None = None,
) -> int:
    """Write every matching event as one JSON object per line; report the count on standard error."""
    store = Store.from_url(settings.database_url)
    count = 0
    try:
        if not await store.is_migrated():
            print(
                "the store at DATABASE_URL has no dbops tables yet: run `python -m bot migrate` "
                "(or `serve`, which migrates first)",
                file=sys.stderr,
            )
            return 1
        # a one-shot command with nothing else on its event loop: blocking file writes are fine here
        out = Path(output).open("w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115, ASYNC230
        try:
            async for line in export_audit(store, since=since, until=until, cluster=cluster):
                out.write(line)
                count += 1
            out.flush()
        except BrokenPipeError:
            # the reader stopped early (`| head`): not an error; keep Python from complaining at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        finally:
            if output:
                out.close()
    finally:
        await store.close()
    print(f"exported {count} audit event(s){f' to {output}' if output else ''}", file=sys.stderr)
    return 0
