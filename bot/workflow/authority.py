"""Who may act on a request now: the one place that answers, for approve, reject, cancel, stop and
acknowledge, either yes or the one reason why not (a `Verdict`, from which the sentence is made).

    approve      a pending, unexpired, ordinary request; not one's own (unless `allow_self_approval`);
                 in every approver list the policy names for it (escalation widens the top-level list)
    reject       a pending, unexpired request; the same approver lists
    cancel       a pending, unexpired request; only its requester
    stop         a break-glass request during its countdown; anyone in the channel
    acknowledge  an open break-glass review; not one's own change; the same approver lists
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.ops.changes import Action
from bot.store import Request, RequestState, ReviewState

from .errors import describe_state
from .policy import GroupResolver, Policy

__all__ = ["Act", "Authority", "Reason", "Verdict"]


class Act(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    STOP = "stop"
    ACKNOWLEDGE = "acknowledge"


class Reason(StrEnum):
    """Why not; `Verdict.sentence` says it to the person."""

    NOT_PENDING = "not_pending"  # the request has moved on (`request.state`)
    EXPIRED = "expired"  # pending, but past its expiry: whoever asked expires it first
    REVIEW_NOT_OPEN = "review_not_open"
    NEEDS_NO_APPROVAL = "needs_no_approval"  # a break-glass request runs on its own
    NOT_EMERGENCY = "not_emergency"  # only a break-glass request can be stopped
    OWN_REQUEST = "own_request"
    NOT_APPROVER = "not_approver"
    NOT_REQUESTER = "not_requester"


@dataclass(frozen=True, slots=True)
class Verdict:
    act: Act
    user: str
    request: Request
    reason: Reason | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None

    @property
    def sentence(self) -> str:
        """One sentence for the person who asked; empty when allowed."""
        r = self.request
        match self.reason:
            case None:
                return ""
            case Reason.NOT_PENDING | Reason.EXPIRED | Reason.REVIEW_NOT_OPEN:
                return describe_state(r)
            case Reason.NEEDS_NO_APPROVAL:
                return (
                    f"{r.id} is an emergency change: it runs when its countdown ends unless someone "
                    "stops it, and needs no approval."
                )
            case Reason.NOT_EMERGENCY:
                return f"{r.id} is not an emergency change; an approver can reject it."
            case Reason.OWN_REQUEST if self.act is Act.ACKNOWLEDGE:
                return f"You made the emergency change {r.id}, so another approver has to review it."
            case Reason.OWN_REQUEST:
                return f"You asked for {r.id}, so someone else has to approve it."
            case Reason.NOT_REQUESTER:
                return f"Only {r.requester}, who asked for {r.id}, can cancel it."
            case Reason.NOT_APPROVER if self.act is Act.APPROVE:
                return f"You are not an approver for {r.action.value} on {r.cluster_name}."
            case Reason.NOT_APPROVER if self.act is Act.REJECT:
                return f"Only approvers of {r.action.value} on {r.cluster_name} can reject {r.id}."
            case Reason.NOT_APPROVER:
                return (
                    f"Only approvers of {r.action.value} on {r.cluster_name} can acknowledge the "
                    f"review of {r.id}."
                )


class Authority:
    def __init__(self, policy: Policy, groups: GroupResolver) -> None:
        self._policy = policy
        self._groups = groups

    async def verdict(self, act: Act, user: str, request: Request, now: datetime) -> Verdict:
        """May `user` do `act` to `request` at `now`? Checks run in the order people are told about them:
        where the request is first, then what kind it is, then who is asking."""
        reason = self._state(act, request, now)
        if reason is None:
            reason = await self._who(act, user, request)
        return Verdict(act, user, request, reason)

    async def is_approver(self, user: str, action: Action, cluster_name: str) -> bool:
        """Whether `user` is in every approver list for `action` on `cluster_name` (not escalated)."""
        return await self._policy.is_approver(user, action, cluster_name, self._groups)

    async def may_decide(self, user: str, request: Request) -> bool:
        """Whether `user` is in every approver list for `request` as it is (escalation included): the
        approver rule of approve, reject and acknowledge, asked by the Slack layer's buttons too."""
        return await self._policy.is_approver(
            user,
            request.action,
            request.cluster_name,
            self._groups,
            escalated=request.escalated_at is not None,
            revert=request.revert_of is not None,
        )

    def _state(self, act: Act, request: Request, now: datetime) -> Reason | None:
        if act is Act.STOP:
            if not request.is_emergency:
                return Reason.NOT_EMERGENCY
            return None if request.state is RequestState.PENDING else Reason.NOT_PENDING
        if act is Act.ACKNOWLEDGE:
            return None if request.review_state is ReviewState.OPEN else Reason.REVIEW_NOT_OPEN
        if request.state is not RequestState.PENDING:
            return Reason.NOT_PENDING
        if request.expires_at <= now:
            return Reason.EXPIRED
        if act is Act.APPROVE and request.is_emergency:
            return Reason.NEEDS_NO_APPROVAL
        return None

    async def _who(self, act: Act, user: str, request: Request) -> Reason | None:
        match act:
            case Act.STOP:
                return None
            case Act.CANCEL:
                return None if user == request.requester else Reason.NOT_REQUESTER
            case Act.APPROVE | Act.ACKNOWLEDGE:
                if user == request.requester and not self._policy.allow_self_approval:
                    return Reason.OWN_REQUEST
        return None if await self.may_decide(user, request) else Reason.NOT_APPROVER
