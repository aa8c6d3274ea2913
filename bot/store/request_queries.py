"""Reading requests: one by id (with its approvals), the queries that list them, and who holds a resource."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .records import ACTIVE_STATES, Approval, Request, RequestState
from .rows import request_from_row
from .schema import approvals, requests

__all__ = ["TimerColumn", "active_for", "due_query", "get", "hydrate", "list_query"]

TimerColumn = Literal["runs_at", "remind_at", "escalate_at", "review_due_at", "revert_until"]
"""The due-time columns the timer sweep fires from."""


async def get(conn: AsyncConnection, request_id: str) -> Request | None:
    rows = (await conn.execute(select(requests).where(requests.c.id == request_id))).all()
    found = await hydrate(conn, rows)
    return found[0] if found else None


async def hydrate(conn: AsyncConnection, rows: Sequence[Row[Any]]) -> list[Request]:
    """The requests of `requests` rows, each with its approvals (one query for all of them)."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    votes: dict[str, list[Approval]] = {request_id: [] for request_id in ids}
    query = (
        select(approvals)
        .where(approvals.c.request_id.in_(ids))
        .order_by(approvals.c.approved_at, approvals.c.user_id)
    )
    for vote in (await conn.execute(query)).all():
        votes[vote.request_id].append(Approval(user=vote.user_id, at=vote.approved_at))
    return [request_from_row(row, votes[row.id]) for row in rows]


async def active_for(conn: AsyncConnection, resource_key: str) -> str | None:
    """The id of the live request that holds `resource_key`, if any."""
    query = select(requests.c.id).where(
        requests.c.resource_key == resource_key,
        requests.c.state.in_([state.value for state in ACTIVE_STATES]),
    )
    return (await conn.execute(query)).scalar_one_or_none()


def list_query(
    states: Collection[RequestState] | None, cluster: str | None, limit: int | None
) -> Select[Any]:
    """Requests, oldest first, optionally only in `states` and on `cluster` (its name or id)."""
    query = select(requests).order_by(requests.c.created_at, requests.c.id)
    if states is not None:
        query = query.where(requests.c.state.in_([state.value for state in states]))
    if cluster is not None:
        query = query.where(or_(requests.c.cluster_name == cluster, requests.c.cluster_id == cluster))
    if limit is not None:
        query = query.limit(limit)
    return query


def due_query(column: TimerColumn, at: datetime, state: RequestState | None) -> Select[Any]:
    """Requests whose `column` is set and at or before `at` (and in `state`), soonest first."""
    col = requests.c[column]
    query = select(requests).where(col.is_not(None), col <= at).order_by(col, requests.c.id)
    if state is not None:
        query = query.where(requests.c.state == state.value)
    return query
