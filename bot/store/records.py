"""The records the store keeps: requests (with their approvals) and audit events.

They hold no secret: a change names clusters, pools, databases and users, never a password.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.ops.changes import Action, Change
from bot.ops.plan import ExecutionResult, Plan

__all__ = [
    "ACTIVE_STATES",
    "Approval",
    "AuditEvent",
    "EventDraft",
    "Failure",
    "Request",
    "RequestState",
    "ReviewState",
    "new_request_id",
]


class RequestState(StrEnum):
    """pending → approved → executing → succeeded | failed; pending → rejected | cancelled | expired;
    executing → unknown → succeeded | failed (by reconciliation)."""

    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    UNKNOWN = "unknown"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self not in ACTIVE_STATES


ACTIVE_STATES = frozenset(
    {RequestState.PENDING, RequestState.APPROVED, RequestState.EXECUTING, RequestState.UNKNOWN}
)
"""A request in one of these still holds its resource: a second request for it is refused."""


class ReviewState(StrEnum):
    """The review of a break-glass change that ran: open until an approver acknowledges it."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class Approval(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: str
    at: datetime


class Failure(BaseModel):
    """Why a request failed: the sentence shown to people, and DigitalOcean's status and request_id."""

    model_config = ConfigDict(frozen=True)

    message: str
    status: int | None = None
    request_id: str | None = None


class Request(BaseModel):
    """One change someone asked for, from submission to its outcome."""

    model_config = ConfigDict(frozen=True)

    id: str
    action: Action
    change: Change
    plan: Plan
    resource_key: str
    cluster_id: str
    cluster_name: str
    state: RequestState
    requester: str
    channel: str
    card_channel: str | None = None
    card_ts: str | None = None
    required_approvals: int
    approvals: tuple[Approval, ...] = ()
    rejected_by: str | None = None
    rejection_reason: str | None = None
    cancelled_by: str | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    finished_at: datetime | None = None
    result: ExecutionResult | None = None
    failure: Failure | None = None
    emergency_reason: str | None = None  # set on a break-glass request
    runs_at: datetime | None = None  # a break-glass request runs then unless stopped
    remind_at: datetime | None = None  # when its approvers are reminded (cleared once done)
    escalate_at: datetime | None = None  # when it is escalated (cleared once done)
    escalated_at: datetime | None = None
    review_state: ReviewState | None = None  # a break-glass request that ran must be reviewed
    review_due_at: datetime | None = None  # the next reminder to review it
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    revert_of: str | None = None  # the succeeded request this one undoes
    revert_until: datetime | None = None  # a succeeded change can be reverted until then

    @property
    def is_emergency(self) -> bool:
        return self.emergency_reason is not None

    @property
    def approvers(self) -> list[str]:
        return [approval.user for approval in self.approvals]

    @property
    def approvals_missing(self) -> int:
        """How many more approvals the request needs (0 once it has enough)."""
        return max(0, self.required_approvals - len(self.approvals))

    @property
    def summary(self) -> str:
        """E.g. "resize pool web on prod-pg"."""
        return self.plan.summary


class AuditEvent(BaseModel):
    """One line of the append-only audit log: who did what, when, and from which state to which."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    kind: str
    actor: str
    request_id: str | None
    cluster_id: str | None
    cluster_name: str | None
    from_state: RequestState | None
    to_state: RequestState | None
    message: str
    detail: dict[str, Any] = {}


_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: easy to read aloud and type


def new_request_id() -> str:
    """A short, readable, random request id such as `R-7K3F9Q`."""
    return "R-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


class EventDraft(BaseModel):
    """An audit event before the store stamps it with an id (and, for a request, its cluster)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    actor: str
    message: str
    detail: dict[str, Any] = {}
