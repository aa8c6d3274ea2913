"""Counting approvals: each person once, and the approval that completes the count approves the request.

The request row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises
writers) for the whole check-insert-count-update, so concurrent approvals are counted one after another.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, insert, select, update

from . import audit
from .connection import Database
from .errors import StoreError
from .records import AuditEvent, EventDraft, Request, RequestState
from .request_queries import get
from .schema import approvals, requests

__all__ = ["AddApproval", "ApprovalAdded", "add_approval"]


class AddApproval(StrEnum):
    """What `Store.add_approval` did."""

    COUNTED = "counted"  # recorded; more approvals are needed
    APPROVED = "approved"  # recorded, and it completed the count: the request is now approved
    DUPLICATE = "duplicate"  # this person had already approved
    NOT_PENDING = "not_pending"  # the request is no longer pending
    EXPIRED = "expired"  # still pending, but past its expiry
    NOT_FOUND = "not_found"


class ApprovalAdded:
    """The result of `Store.add_approval`: what happened, and the request as it is now."""

    __slots__ = ("events", "request", "status")

    def __init__(
        self, status: AddApproval, request: Request | None, events: tuple[AuditEvent, ...] = ()
    ) -> None:
        self.status = status
        self.request = request
        self.events = events


async def add_approval(db: Database, request_id: str, user: str, at: datetime) -> ApprovalAdded:
    """See `Store.add_approval`."""
    async with db.write() as conn:
        locked = select(requests.c.state, requests.c.expires_at, requests.c.required_approvals).where(
            requests.c.id == request_id
        )
        row = (await conn.execute(locked.with_for_update())).first()
        if row is None:
            return ApprovalAdded(AddApproval.NOT_FOUND, None)
        if row.state != RequestState.PENDING.value:
            return ApprovalAdded(AddApproval.NOT_PENDING, await get(conn, request_id))
        if row.expires_at <= at:
            return ApprovalAdded(AddApproval.EXPIRED, await get(conn, request_id))
        mine = select(approvals.c.user_id).where(
            approvals.c.request_id == request_id, approvals.c.user_id == user
        )
        if (await conn.execute(mine)).first() is not None:
            return ApprovalAdded(AddApproval.DUPLICATE, await get(conn, request_id))
        await conn.execute(insert(approvals).values(request_id=request_id, user_id=user, approved_at=at))
        count = (
            await conn.execute(
                select(func.count()).select_from(approvals).where(approvals.c.request_id == request_id)
            )
        ).scalar_one()
        required = row.required_approvals
        reached = count >= required
        if reached:
            moved = await conn.execute(
                update(requests)
                .where(requests.c.id == request_id, requests.c.state == RequestState.PENDING.value)
                .values(state=RequestState.APPROVED.value, updated_at=at)
            )
            if moved.rowcount != 1:  # cannot happen under the row lock; never count it twice
                raise StoreError(f"{request_id} changed state while locked.")
        else:
            await conn.execute(update(requests).where(requests.c.id == request_id).values(updated_at=at))
        request = await get(conn, request_id)
        assert request is not None
        vote = EventDraft(
            kind="approval",
            actor=user,
            message=f"{user} approved ({count} of {required}).",
            detail={"count": count, "required": required},
        )
        events = [await audit.append(conn, vote, request, RequestState.PENDING, None, at)]
        if reached:
            done = EventDraft(
                kind="approved",
                actor=user,
                message=f"{request_id} has all {required} approvals it needs.",
                detail={"approvers": request.approvers},
            )
            events.append(
                await audit.append(conn, done, request, RequestState.PENDING, RequestState.APPROVED, at)
            )
        status = AddApproval.APPROVED if reached else AddApproval.COUNTED
        return ApprovalAdded(status, request, tuple(events))
