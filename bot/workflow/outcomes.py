"""What `ApprovalEngine.approve` answers: a result value, because every answer is an ordinary one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.store import Request, RequestState

__all__ = ["ApprovalOutcome", "ApprovalStatus", "describe_result"]


class ApprovalStatus(StrEnum):
    COUNTED = "counted"  # recorded; `request.approvals_missing` more are needed
    APPROVED = "approved"  # this approval completed the count; `request` is the executed request
    ALREADY_APPROVED = "already_approved"  # this person's approval was already counted
    NOT_ALLOWED = "not_allowed"  # not an approver for this change, or approving their own request
    NOT_PENDING = "not_pending"  # the request has moved on (`request.state`), e.g. expired or rejected


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    """`message` is one sentence for the person who clicked; `request` is the request as it is now."""

    status: ApprovalStatus
    request: Request
    message: str

    @property
    def counted(self) -> bool:
        return self.status in (ApprovalStatus.COUNTED, ApprovalStatus.APPROVED)


def describe_result(request: Request) -> str:
    """One sentence for the outcome of a request that was approved."""
    rid = request.id
    match request.state:
        case RequestState.SUCCEEDED:
            detail = f": {request.result.message}" if request.result else "."
            return f"{rid} is done ({request.summary}){detail}"
        case RequestState.FAILED:
            reason = request.failure.message if request.failure else "no reason was given"
            return f"{rid} failed: {reason}"
        case RequestState.UNKNOWN:
            return f"{rid} was sent to DigitalOcean without a clear answer; its outcome is being checked."
        case RequestState.EXECUTING | RequestState.APPROVED:
            return f"{rid} is approved and being carried out."
        case _:
            return f"{rid} is {request.state.value}."
