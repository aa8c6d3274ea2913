"""What happened to a request: the audit event kinds, as stored (the values never change, so the audit log
and its exports read the same). The journal writes them; the Slack layer matches on them."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REQUEST_AGAIN", "EventKind"]


class EventKind(StrEnum):
    # asking
    SUBMITTED = "submitted"
    EMERGENCY = "emergency"
    REFUSED = "refused"
    SUPERSEDED = "superseded"
    # deciding
    APPROVAL = "approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    STOPPED = "stopped"
    EXPIRED = "expired"
    # running
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    INTERRUPTED = "interrupted"
    RESUMED = "resumed"
    RECONCILED = "reconciled"
    RECONCILE_FAILED = "reconcile_failed"
    LATE_RESULT = "late_result"
    # timers
    COUNTDOWN_OVER = "countdown_over"
    EMERGENCY_REVOKED = "emergency_revoked"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    REVIEW_OPENED = "review_opened"
    REVIEW_REMINDED = "review_reminded"
    REVIEW_ACKNOWLEDGED = "review_acknowledged"
    # revert
    REVERT_REQUESTED = "revert_requested"  # on the original: a new request (`detail.revert`) undoes it
    REVERT_WINDOW_ENDED = "revert_window_ended"


REQUEST_AGAIN = "request_again"
"""Set (True) in the detail of a `failed` or `reconciled` event when an interrupted change did not happen
and its plan no longer holds: nothing was changed, and the Slack layer offers to request it again."""
