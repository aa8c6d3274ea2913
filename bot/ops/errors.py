"""What the service layer refuses or fails with. Every error's `str()` is one sentence a user can read.

OpsError
├── InvalidRequest        the request breaks a rule; nothing was sent to DigitalOcean
│   ├── ClusterNotFound   unknown or ambiguous cluster name (lists the candidates)
│   └── CapacityExceeded  the pools would need more backend connections than the cluster has
├── StalePlan             the state changed since the plan was made; nothing was written
├── UpstreamFailure       DigitalOcean refused or failed the call (status, message, request_id)
└── OutcomeUnknownError   a write may or may not have happened; reconcile decides
"""

from __future__ import annotations

__all__ = [
    "CapacityExceeded",
    "ClusterNotFound",
    "InvalidRequest",
    "OpsError",
    "OutcomeUnknownError",
    "StalePlan",
    "UpstreamFailure",
]


class OpsError(Exception):
    """Base of the service layer's errors; `str(error)` is the sentence shown to the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidRequest(OpsError):
    """The request breaks a rule. `field` names the input at fault (cluster, pool, db, size, mode, user)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class ClusterNotFound(InvalidRequest):
    def __init__(self, message: str, *, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(message, field="cluster")


class CapacityExceeded(InvalidRequest):
    def __init__(self, message: str, *, capacity: int, used_by_others: int, largest_fit: int) -> None:
        self.capacity = capacity
        self.used_by_others = used_by_others
        self.largest_fit = largest_fit
        super().__init__(message, field="size")


class StalePlan(OpsError):
    """The resource changed between plan and execution; the change was not made."""


class UpstreamFailure(OpsError):
    """DigitalOcean answered with an error. Carries what a user and on-call need to follow it up."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        error_id: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.error_id = error_id
        self.request_id = request_id
        self.retry_after = retry_after
        super().__init__(message)


class OutcomeUnknownError(OpsError):
    """A write reached DigitalOcean (or may have) without a clear answer: reconcile, never repeat.

    `status` and `request_id` are set when DigitalOcean did answer, with a 5xx.
    """

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        self.status = status
        self.request_id = request_id
        super().__init__(message)
