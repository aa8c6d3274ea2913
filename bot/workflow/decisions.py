"""People deciding on requests: approve, reject, cancel, stop (a break-glass countdown), acknowledge (a
break-glass review), and expiry. The authority says whether they may; the journal commits what they do."""

from __future__ import annotations

from datetime import datetime

from bot.store import AddApproval, EventDraft, Request, RequestState, ReviewState, Store

from .authority import Act, Authority, Reason, Verdict
from .errors import NotAllowed, NotPending, RequestNotFound, ReviewNotOpen, describe_state
from .events import EventKind
from .intake import check_reason
from .journal import Journal
from .outcomes import ApprovalOutcome, ApprovalStatus, describe_result
from .ports import Clock
from .runner import SYSTEM_ACTOR, Runner

__all__ = ["Decisions"]

_S = RequestState


class Decisions:
    def __init__(
        self, store: Store, journal: Journal, authority: Authority, runner: Runner, clock: Clock
    ) -> None:
        self._store = store
        self._journal = journal
        self._authority = authority
        self._runner = runner
        self._clock = clock

    async def approve(self, request_id: str, user: str) -> ApprovalOutcome:
        """See `ApprovalEngine.approve`."""
        request = await self._get(request_id)
        now = self._clock()
        verdict = await self._authority.verdict(Act.APPROVE, user, request, now)
        if verdict.reason in (Reason.NOT_PENDING, Reason.EXPIRED):
            moved_on = await self.expire(request, now) if verdict.reason is Reason.EXPIRED else request
            return ApprovalOutcome(ApprovalStatus.NOT_PENDING, moved_on, describe_state(moved_on))
        if not verdict.allowed:
            return ApprovalOutcome(ApprovalStatus.NOT_ALLOWED, request, verdict.sentence)

        added = await self._journal.add_approval(request_id, user, now)
        current = added.request
        if current is None:
            raise RequestNotFound(request_id)
        match added.status:
            case AddApproval.DUPLICATE:
                return ApprovalOutcome(
                    ApprovalStatus.ALREADY_APPROVED,
                    current,
                    f"You have already approved {current.id}; it needs "
                    f"{current.approvals_missing} more approval(s).",
                )
            case AddApproval.COUNTED:
                return ApprovalOutcome(
                    ApprovalStatus.COUNTED,
                    current,
                    f"Your approval of {current.id} is counted; it needs "
                    f"{current.approvals_missing} more approval(s).",
                )
            case AddApproval.EXPIRED:
                expired = await self.expire(current, now)
                return ApprovalOutcome(ApprovalStatus.NOT_PENDING, expired, describe_state(expired))
            case AddApproval.APPROVED:
                final = await self._runner.execute(request_id)
                return ApprovalOutcome(ApprovalStatus.APPROVED, final, describe_result(final))
            case _:
                return ApprovalOutcome(ApprovalStatus.NOT_PENDING, current, describe_state(current))

    async def reject(self, request_id: str, user: str, reason: str | None) -> Request:
        request = await self._allowed(Act.REJECT, request_id, user)
        reason = (reason or "").strip() or None
        check_reason(reason, what="rejection reason")
        message = f"{user} rejected {request.id}" + (f": {reason}" if reason else ".")
        return await self.finish_pending(
            request,
            _S.REJECTED,
            EventDraft(kind=EventKind.REJECTED, actor=user, message=message, detail={"reason": reason}),
            {"rejected_by": user, "rejection_reason": reason},
        )

    async def cancel(self, request_id: str, user: str) -> Request:
        request = await self._allowed(Act.CANCEL, request_id, user)
        return await self.finish_pending(
            request,
            _S.CANCELLED,
            EventDraft(kind=EventKind.CANCELLED, actor=user, message=f"{user} cancelled {request.id}."),
            {"cancelled_by": user},
        )

    async def stop(self, request_id: str, user: str) -> Request:
        request = await self._allowed(Act.STOP, request_id, user)
        return await self.finish_pending(
            request,
            _S.CANCELLED,
            EventDraft(
                kind=EventKind.STOPPED,
                actor=user,
                message=f"{user} stopped the emergency change {request.id} before it ran.",
            ),
            {"cancelled_by": user, "runs_at": None},
        )

    async def acknowledge_review(self, request_id: str, user: str) -> Request:
        request = await self._allowed(Act.ACKNOWLEDGE, request_id, user)
        now = self._clock()
        moved = await self._journal.update(
            request,
            EventDraft(
                kind=EventKind.REVIEW_ACKNOWLEDGED,
                actor=user,
                message=f"{user} acknowledged the review of the emergency change {request.id}.",
            ),
            at=now,
            review_state=ReviewState.OPEN,
            values={
                "review_state": ReviewState.ACKNOWLEDGED.value,
                "reviewed_by": user,
                "reviewed_at": now,
                "review_due_at": None,
            },
        )
        if moved is None:
            raise ReviewNotOpen(await self._get(request.id))
        return moved

    async def finish_pending(
        self, request: Request, to: RequestState, event: EventDraft, values: dict[str, object]
    ) -> Request:
        """End a pending request (`to` is final). Raises `NotPending` if it moved on meanwhile."""
        now = self._clock()
        moved = await self._journal.move(
            request, _S.PENDING, to, event, at=now, values={**values, "finished_at": now}
        )
        if moved is None:
            raise NotPending(await self._get(request.id))
        return moved

    async def expire(self, request: Request, now: datetime) -> Request:
        """Expire a pending request past its expiry; returns it as it is now, expired or not."""
        moved = await self._journal.move(
            request,
            _S.PENDING,
            _S.EXPIRED,
            EventDraft(
                kind=EventKind.EXPIRED,
                actor=SYSTEM_ACTOR,
                message=f"{request.id} expired without enough approvals "
                f"({len(request.approvals)} of {request.required_approvals}).",
            ),
            at=now,
            values={"finished_at": now},
            expired_by=now,
        )
        return moved if moved is not None else await self._get(request.id)

    async def _allowed(self, act: Act, request_id: str, user: str) -> Request:
        """The request, if `user` may do `act` to it now; otherwise the verdict's error."""
        request = await self._get(request_id)
        now = self._clock()
        verdict = await self._authority.verdict(act, user, request, now)
        if verdict.allowed:
            return request
        raise await self._refusal(verdict, now)

    async def _refusal(self, verdict: Verdict, now: datetime) -> Exception:
        match verdict.reason:
            case Reason.EXPIRED:
                return NotPending(await self.expire(verdict.request, now))
            case Reason.NOT_PENDING:
                return NotPending(verdict.request)
            case Reason.REVIEW_NOT_OPEN:
                return ReviewNotOpen(verdict.request)
        return NotAllowed(verdict.sentence, request=verdict.request)

    async def _get(self, request_id: str) -> Request:
        request = await self._store.get(request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return request
