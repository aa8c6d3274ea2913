"""Writing requests: inserting one, and the conditional updates that move it (each with its audit event).

Every change of a request's state is one conditional `UPDATE … WHERE id = … AND state = …` whose row
count says whether this caller won; the audit event is written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import audit
from .connection import Database
from .emergency import EmergencyCap, check_emergency_cap
from .errors import ActiveRequestExists, StoreError
from .records import AuditEvent, EventDraft, Request, RequestState, ReviewState
from .request_queries import TimerColumn, active_for, get
from .rows import request_row
from .schema import requests

__all__ = ["RequestIdTaken", "insert_request", "renew_lease", "set_card", "transition", "update_if"]


class RequestIdTaken(StoreError):
    """The random request id is already in use (the caller draws another)."""


async def insert_request(
    db: Database, request: Request, event: EventDraft, emergency_cap: EmergencyCap | None
) -> tuple[Request, AuditEvent]:
    """See `Store.insert_request`."""
    try:
        async with db.write() as conn:
            if emergency_cap is not None:
                await check_emergency_cap(conn, request.requester, emergency_cap, is_sqlite=db.is_sqlite)
            existing = await active_for(conn, request.resource_key)
            if existing is not None:
                raise ActiveRequestExists(existing)
            await conn.execute(insert(requests).values(**request_row(request)))
            stored = await audit.append(conn, event, request, None, request.state, request.created_at)
    except IntegrityError:
        async with db.read() as conn:
            existing = await active_for(conn, request.resource_key)
            taken = (await conn.execute(select(requests.c.id).where(requests.c.id == request.id))).first()
        if existing is not None:
            raise ActiveRequestExists(existing) from None
        if taken is not None:
            raise RequestIdTaken(f"request id {request.id} is already in use.") from None
        raise
    return request, stored


async def transition(
    db: Database,
    request_id: str,
    from_state: RequestState,
    to_state: RequestState,
    *,
    at: datetime,
    event: EventDraft,
    values: Mapping[str, Any] | None,
    expired_by: datetime | None,
    claimed_by: str | None = None,
) -> tuple[Request, AuditEvent] | None:
    """See `Store.transition`."""
    conditions: list[ColumnElement[bool]] = [
        requests.c.id == request_id,
        requests.c.state == from_state.value,
    ]
    if expired_by is not None:
        conditions.append(requests.c.expires_at <= expired_by)
    if claimed_by is not None:
        conditions.append(requests.c.claimed_by == claimed_by)
    row = {**dict(values or {}), "state": to_state.value, "updated_at": at}
    return await _update(db, request_id, conditions, row, event, from_state, to_state, at)


async def update_if(
    db: Database,
    request_id: str,
    *,
    at: datetime,
    event: EventDraft,
    values: Mapping[str, Any],
    state: RequestState | None,
    to_state: RequestState | None,
    due: TimerColumn | None,
    review_state: ReviewState | Literal["none"] | None,
) -> tuple[Request, AuditEvent] | None:
    """See `Store.update_if`."""
    conditions: list[ColumnElement[bool]] = [requests.c.id == request_id]
    if state is not None:
        conditions.append(requests.c.state == state.value)
    if due is not None:
        conditions += [requests.c[due].is_not(None), requests.c[due] <= at]
    if review_state == "none":
        conditions.append(requests.c.review_state.is_(None))
    elif review_state is not None:
        conditions.append(requests.c.review_state == review_state.value)
    row = {**dict(values), "updated_at": at}
    if to_state is not None:
        row["state"] = to_state.value
    moved_from = state if to_state is not None else None
    return await _update(db, request_id, conditions, row, event, moved_from, to_state, at)


async def renew_lease(db: Database, request_id: str, claimed_by: str, until: datetime) -> bool:
    """See `Store.renew_lease`."""
    async with db.write() as conn:
        result = await conn.execute(
            update(requests)
            .where(
                requests.c.id == request_id,
                requests.c.state == RequestState.EXECUTING.value,
                requests.c.claimed_by == claimed_by,
            )
            .values(lease_expires_at=until)
        )
        return bool(result.rowcount == 1)


async def _update(
    db: Database,
    request_id: str,
    conditions: list[ColumnElement[bool]],
    row: Mapping[str, Any],
    event: EventDraft,
    from_state: RequestState | None,
    to_state: RequestState | None,
    at: datetime,
) -> tuple[Request, AuditEvent] | None:
    """The conditional UPDATE and its audit event, in one transaction; None if no row matched."""
    async with db.write() as conn:
        if (await conn.execute(update(requests).where(*conditions).values(**row))).rowcount != 1:
            return None
        request = await get(conn, request_id)
        assert request is not None
        return request, await audit.append(conn, event, request, from_state, to_state, at)


async def set_card(db: Database, request_id: str, channel: str, ts: str, *, at: datetime) -> Request | None:
    """See `Store.set_card`."""
    async with db.write() as conn:
        result = await conn.execute(
            update(requests)
            .where(requests.c.id == request_id)
            .values(card_channel=channel, card_ts=ts, updated_at=at)
        )
        if result.rowcount != 1:
            return None
        return await get(conn, request_id)
