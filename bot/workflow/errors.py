"""The engine's refusals. Each carries its data (channel IDs, user IDs, names); its `str()` is one plain
sentence for logs. No Slack markup here: the Slack layer words them for Slack (`bot.slack.renderers.errors`).

WorkflowError
├── RequestNotFound     no request has that id
├── ChannelNotAllowed   commands are not accepted in that channel
├── AuditNotAllowed     that person may not read audit histories
├── RequestRefused      the service layer refused the change (invalid, unknown cluster, capacity, …)
├── InputTooLong        a name, reason or ID is longer than intake accepts (`bot.workflow.intake`)
├── DuplicateRequest    a live request already targets the resource (`existing` is that request)
├── NotAllowed          that person may not do that to that request
├── NotPending          the request has moved on (`request.state` says where)
├── EmergencyRefused    break-glass is not allowed here, for this person, for this change, or today
│   └── NotIncidentChannel  outside the incident channels (`channels`)
├── ReviewNotOpen       the break-glass review was already acknowledged (or there is none)
└── RevertRefused       that request cannot be reverted (now): `why` says so
"""

from __future__ import annotations

from bot.store import Request

__all__ = [
    "AuditNotAllowed",
    "ChannelNotAllowed",
    "DuplicateRequest",
    "EmergencyRefused",
    "InputTooLong",
    "NotAllowed",
    "NotIncidentChannel",
    "NotPending",
    "RequestNotFound",
    "RequestRefused",
    "RevertRefused",
    "ReviewNotOpen",
    "WorkflowError",
]


class WorkflowError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class RequestNotFound(WorkflowError):
    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"There is no request {request_id}.")


class ChannelNotAllowed(WorkflowError):
    """`what` names what was asked: "Database changes" (a request), "Commands" (reads, audit, forms)."""

    def __init__(self, channel: str, allowed: list[str], *, what: str = "Database changes") -> None:
        self.channel = channel
        self.allowed = allowed
        self.what = what
        where = ", ".join(f"#{c}" for c in allowed)
        super().__init__(f"{what} are not accepted in this channel; ask in {where}.")


class AuditNotAllowed(WorkflowError):
    def __init__(self, user: str) -> None:
        self.user = user
        super().__init__(
            "Only the people the policy names in audit_readers can read audit histories; ask one of them."
        )


class RequestRefused(WorkflowError):
    """The service layer refused the change; `field` names the input at fault, when it knows."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class InputTooLong(WorkflowError):
    """`what` is longer than `limit`; `field` names the input (for forms)."""

    def __init__(self, what: str, length: int, limit: int, *, field: str) -> None:
        self.what = what
        self.length = length
        self.limit = limit
        self.field = field
        super().__init__(
            f"The {what} is {length:,} characters long; at most {limit:,} are accepted. Nothing was changed."
        )


class DuplicateRequest(WorkflowError):
    def __init__(self, existing: Request) -> None:
        self.existing = existing
        super().__init__(f"{existing.id} already asks to {existing.summary}.")


class NotAllowed(WorkflowError):
    def __init__(self, message: str, *, request: Request) -> None:
        self.request = request
        super().__init__(message)


class NotPending(WorkflowError):
    def __init__(self, request: Request) -> None:
        self.request = request
        super().__init__(describe_state(request))


def describe_state(request: Request) -> str:
    """One sentence saying where a request that is no longer pending stands."""
    from bot.store import RequestState as S

    rid = request.id
    match request.state:
        case S.PENDING:
            return f"{rid} is waiting for {request.approvals_missing} more approval(s)."
        case S.APPROVED | S.EXECUTING:
            return f"{rid} is already approved and being carried out."
        case S.SUCCEEDED:
            return f"{rid} has already been carried out."
        case S.FAILED:
            return f"{rid} has already been tried and failed."
        case S.UNKNOWN:
            return f"{rid} was sent to DigitalOcean and its outcome is being checked."
        case S.REJECTED:
            return f"{rid} was rejected by {request.rejected_by}."
        case S.CANCELLED:
            return f"{rid} was cancelled by {request.cancelled_by}."
        case S.EXPIRED:
            return (
                f"{rid} expired at {request.expires_at:%Y-%m-%d %H:%M} UTC; ask again if it is still needed."
            )


class EmergencyRefused(WorkflowError):
    """A break-glass request the policy does not allow here, for this person, this change, or today.
    `setting` names the policy key the sentence refers to (shown as code in Slack), when there is one."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        self.setting = setting
        super().__init__(message)


class NotIncidentChannel(EmergencyRefused):
    """Break-glass asked outside the incident channels; `channels` are the policy's IDs and name patterns."""

    def __init__(self, channels: list[str]) -> None:
        self.channels = channels
        super().__init__(f"Emergency changes are accepted only in incident channels ({', '.join(channels)}).")


class ReviewNotOpen(WorkflowError):
    def __init__(self, request: Request) -> None:
        self.request = request
        if request.reviewed_by:
            message = f"The review of {request.id} was already acknowledged by {request.reviewed_by}."
        else:
            message = f"{request.id} has no review waiting."
        super().__init__(message)


class RevertRefused(WorkflowError):
    """The request cannot be reverted (not a revertible change, not succeeded, past its window, or the
    resource changed since it ran); `request_id` names it, `str()` says why."""

    def __init__(self, request_id: str, why: str) -> None:
        self.request_id = request_id
        self.why = why
        super().__init__(f"{request_id} cannot be reverted: {why}.")
