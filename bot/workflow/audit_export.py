"""The audit log as JSON lines, read page by page (for `python -m bot audit export` and the engine)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime

from bot.store import Store

__all__ = ["EXPORT_PAGE", "export_audit"]

EXPORT_PAGE = 500


async def export_audit(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    cluster: str | None = None,
) -> AsyncIterator[str]:
    """Every audit event (at or after `since`, before `until`, on `cluster` by name or id) as one JSON
    object per line, each ending in a newline, oldest first."""
    after = 0
    while True:
        page = await store.events(
            cluster=cluster, since=since, until=until, after_id=after, limit=EXPORT_PAGE
        )
        for event in page:
            yield json.dumps(event.model_dump(mode="json"), sort_keys=True) + "\n"
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1].id
