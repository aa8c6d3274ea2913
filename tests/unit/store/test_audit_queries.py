"""Reading a cluster's recent history pages in SQL: a long history is never read whole (issue 13, item 9)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.store import EventDraft, Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@contextmanager
def audit_selects(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT on audit_events the store sends to the database, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "audit_events" in statement:
            sent.append((statement, parameters))

    sync_engine = store.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(sync_engine, "before_cursor_execute", before)


async def _history(store: Store, cluster: str, count: int) -> None:
    for n in range(count):
        await store.append_event(
            EventDraft(kind="refused", actor="U0ALICE", message=f"event {n} on {cluster}"),
            at=NOW + timedelta(seconds=n),
            cluster_name=cluster,
        )


async def test_the_latest_events_of_a_cluster_are_limited_in_sql(store: Store) -> None:
    await _history(store, "prod-pg", 120)
    await _history(store, "staging-pg", 5)
    with audit_selects(store) as sent:
        events = await store.events(cluster="prod-pg", limit=25, latest=True)
    assert [e.message for e in events] == [f"event {n} on prod-pg" for n in range(95, 120)]  # oldest first
    [(statement, parameters)] = sent
    assert "LIMIT" in statement.upper()  # the database stops after 25 rows; the store never sees 120
    assert 25 in tuple(parameters)


async def test_without_latest_the_limit_takes_the_oldest_events(store: Store) -> None:
    await _history(store, "prod-pg", 30)
    events = await store.events(cluster="prod-pg", limit=3)
    assert [e.message for e in events] == [f"event {n} on prod-pg" for n in range(3)]
