"""The append-only audit log: writing an event (inside the caller's transaction) and reading pages of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .records import AuditEvent, EventDraft, Request, RequestState
from .rows import event_row
from .schema import audit_events

__all__ = ["append", "events_query"]


async def append(
    conn: AsyncConnection,
    event: EventDraft,
    request: Request | None,
    from_state: RequestState | None,
    to_state: RequestState | None,
    at: datetime,
    *,
    cluster_id: str | None = None,
    cluster_name: str | None = None,
) -> AuditEvent:
    """Write `event` about `request` (or the given cluster) on `conn`; returns it with its new id."""
    stored = AuditEvent(
        id=0,
        at=at,
        kind=event.kind,
        actor=event.actor,
        request_id=request.id if request else None,
        cluster_id=request.cluster_id if request else cluster_id,
        cluster_name=request.cluster_name if request else cluster_name,
        from_state=from_state,
        to_state=to_state,
        message=event.message,
        detail=event.detail,
    )
    result = await conn.execute(insert(audit_events).values(**event_row(stored)))
    key = result.inserted_primary_key
    assert key is not None
    return stored.model_copy(update={"id": key[0]})


def events_query(
    *,
    request_id: str | None,
    cluster: str | None,
    since: datetime | None,
    until: datetime | None,
    after_id: int,
    limit: int | None,
    latest: bool,
) -> Select[Any]:
    """The events `Store.events` reads, newest first when `latest` (the caller turns them back)."""
    order = audit_events.c.id.desc() if latest else audit_events.c.id
    query = select(audit_events).where(audit_events.c.id > after_id).order_by(order)
    if request_id is not None:
        query = query.where(audit_events.c.request_id == request_id)
    if cluster is not None:
        query = query.where(or_(audit_events.c.cluster_name == cluster, audit_events.c.cluster_id == cluster))
    if since is not None:
        query = query.where(audit_events.c.at >= since)
    if until is not None:
        query = query.where(audit_events.c.at < until)
    if limit is not None:
        query = query.limit(limit)
    return query
