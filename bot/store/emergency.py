"""Break-glass bookkeeping: the per-requester cap on emergency requests, and the changes awaiting review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import EmergencyCapReached
from .records import RequestState
from .schema import requests

__all__ = ["EmergencyCap", "check_emergency_cap", "count_emergencies", "review_query"]


@dataclass(frozen=True)
class EmergencyCap:
    """At most `limit` break-glass requests per requester since `since`."""

    limit: int
    since: datetime


async def count_emergencies(conn: AsyncConnection, requester: str, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(requests)
        .where(
            requests.c.requester == requester,
            requests.c.emergency_reason.is_not(None),
            requests.c.created_at >= since,
        )
    )
    return int((await conn.execute(query)).scalar_one())


async def check_emergency_cap(
    conn: AsyncConnection, requester: str, cap: EmergencyCap, *, is_sqlite: bool
) -> None:
    """Raise `EmergencyCapReached` if `requester` already reached `cap` (inside the inserting transaction;
    on PostgreSQL a per-requester advisory lock makes count-then-insert atomic)."""
    if not is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises every writer
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"dbops-emergency:{requester}"}
        )
    made = await count_emergencies(conn, requester, cap.since)
    if made >= cap.limit:
        raise EmergencyCapReached(made)


def review_query() -> Select[Any]:
    """Break-glass requests that have run (succeeded or failed) and have no review yet, oldest first."""
    return (
        select(requests)
        .where(
            requests.c.emergency_reason.is_not(None),
            requests.c.review_state.is_(None),
            requests.c.state.in_([RequestState.SUCCEEDED.value, RequestState.FAILED.value]),
        )
        .order_by(requests.c.created_at, requests.c.id)
    )
