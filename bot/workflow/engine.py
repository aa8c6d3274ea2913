"""The approval engine: who may ask and approve, when a change runs (exactly once), and the audit trail.

It knows nothing of Slack or HTTP. Every state change is a conditional update in the store, so concurrent
clicks, Slack's retries and several bot processes sharing one PostgreSQL never run a request twice:

    pending ──approve (enough)──▶ approved ──claim──▶ executing ──▶ succeeded | failed
       │                                                  └──▶ unknown ──reconcile──▶ succeeded | failed
       └──▶ rejected | cancelled | expired

A claimed request carries a lease (`execution_timeout` + `lease_grace`). The executor gives up on the
service layer before its lease ends (the request becomes `unknown` and is reconciled), so `recover()`
may safely reconcile any request whose lease has passed: its executor is gone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from bot.metrics import Metrics
from bot.ops.changes import Action, Change
from bot.ops.errors import OpsError, OutcomeUnknownError, UpstreamFailure
from bot.ops.plan import ExecutionResult, Outcome
from bot.store import (
    ACTIVE_STATES,
    AddApproval,
    AuditEvent,
    EventDraft,
    Failure,
    Request,
    RequestState,
    ReviewState,
    Store,
    result_values,
)

from .audit_export import export_audit
from .channels import ChannelDirectory, NoChannelDirectory
from .errors import (
    AuditNotAllowed,
    ChannelNotAllowed,
    NotAllowed,
    NotPending,
    RequestNotFound,
    ReviewNotOpen,
    describe_state,
)
from .intake import check_reason
from .outcomes import ApprovalOutcome, ApprovalStatus, describe_result
from .policy import GroupResolver, Policy
from .ports import ChangeService, Clock, Notifier, SilentNotifier, utc_now
from .submission import submit

__all__ = ["SYSTEM_ACTOR", "ApprovalEngine"]

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "dbops"
"""The actor of events the bot itself causes (claims, results, expiry, recovery)."""


class ApprovalEngine:
    """The one entry point of the workflow; share one instance per process."""

    def __init__(
        self,
        store: Store,
        service: ChangeService,
        policy: Policy,
        resolver: GroupResolver,
        *,
        clock: Clock = utc_now,
        notifier: Notifier | None = None,
        metrics: Metrics | None = None,
        execution_timeout: timedelta = timedelta(minutes=5),
        lease_grace: timedelta = timedelta(minutes=1),
        instance: str | None = None,
        channels: ChannelDirectory | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self._service = service
        self._groups = resolver
        self.channels: ChannelDirectory = channels or NoChannelDirectory()
        self._clock = clock
        self._notifier: Notifier = notifier or SilentNotifier()
        self._metrics = metrics
        self._execution_timeout = execution_timeout
        self._lease = execution_timeout + lease_grace
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # --- asking -------------------------------------------------------------------------------------

    async def submit(
        self,
        change: Change,
        requester: str,
        channel: str,
        *,
        emergency: str | None = None,
    ) -> Request:
        """Plan the change and open a pending request for it.

        With `emergency` (the reason), it is a break-glass request: no approvals, it runs when its
        countdown ends unless stopped (`stop`), then opens a review; the channel must be an incident
        channel by ID, or a public one whose name (read through the `ChannelDirectory`) matches the
        policy's patterns; it supersedes an ordinary pending request on the same resource. Raises
        `ChannelNotAllowed`, `InputTooLong`, `EmergencyRefused`, `RequestRefused` (the service layer's
        sentence), `ProtectedDatabase` or `DuplicateRequest` (naming the live request). See `submission`.
        """
        return await submit(self, change, requester, channel, emergency=emergency)

    def check_channel(self, channel: str) -> None:
        """Raises `ChannelNotAllowed` unless the policy's `channels` (when set) has `channel`. Every command
        asks this before it answers; `submit` asks it too, and records the refusal."""
        if not self.policy.channel_allowed(channel):
            raise ChannelNotAllowed(channel, self.policy.channels, what="Commands")

    async def check_audit_reader(self, user: str) -> None:
        """Raises `AuditNotAllowed` unless `user` is in the policy's `audit_readers` (default: the top-level
        `approvers`), groups expanded."""
        if not await self.policy.is_listed(user, self.policy.audit_reader_list(), self._groups):
            raise AuditNotAllowed(user)

    async def set_card(self, request_id: str, channel: str, ts: str) -> Request:
        """Remember where the request's Slack card was posted."""
        request = await self.store.set_card(request_id, channel, ts, at=self._clock())
        if request is None:
            raise RequestNotFound(request_id)
        return request

    # --- deciding -----------------------------------------------------------------------------------

    async def is_approver(self, user: str, action: Action, cluster_name: str) -> bool:
        """Whether the policy lets `user` approve `action` on `cluster_name` (groups expanded)."""
        return await self.policy.is_approver(user, action, cluster_name, self._groups)

    async def may_decide(self, user: str, request: Request) -> bool:
        """Whether `user` may approve or reject `request` now: in every list the policy names for its
        action and cluster, where an escalated request's top-level list includes the escalation approvers
        (`Policy.approver_lists`). Approve, Reject and the App Home tab all ask this."""
        return await self.policy.is_approver(
            user,
            request.action,
            request.cluster_name,
            self._groups,
            escalated=request.escalated_at is not None,
        )

    async def approve(self, request_id: str, user: str) -> ApprovalOutcome:
        """Count `user`'s approval. The approval that completes the count also runs the change (once),
        and the outcome then carries the executed request. Raises only `RequestNotFound`."""
        request = await self.get(request_id)
        if request.state is not RequestState.PENDING:
            return ApprovalOutcome(ApprovalStatus.NOT_PENDING, request, describe_state(request))
        now = self._clock()
        if request.expires_at <= now:
            expired = await self._expire(request, now)
            return ApprovalOutcome(ApprovalStatus.NOT_PENDING, expired, describe_state(expired))
        if request.is_emergency:
            return ApprovalOutcome(
                ApprovalStatus.NOT_ALLOWED,
                request,
                f"{request.id} is an emergency change: it runs when its countdown ends unless someone "
                "stops it, and needs no approval.",
            )
        if user == request.requester and not self.policy.allow_self_approval:
            return ApprovalOutcome(
                ApprovalStatus.NOT_ALLOWED,
                request,
                f"You asked for {request.id}, so someone else has to approve it.",
            )
        if not await self.may_decide(user, request):
            return ApprovalOutcome(
                ApprovalStatus.NOT_ALLOWED,
                request,
                f"You are not an approver for {request.action.value} on {request.cluster_name}.",
            )

        added = await self.store.add_approval(request_id, user, now)
        current = added.request
        if current is None:
            raise RequestNotFound(request_id)
        for event in added.events:
            await self._changed(current, event)
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
                expired = await self._expire(current, now)
                return ApprovalOutcome(ApprovalStatus.NOT_PENDING, expired, describe_state(expired))
            case AddApproval.APPROVED:
                final = await self.execute(request_id)
                return ApprovalOutcome(ApprovalStatus.APPROVED, final, describe_result(final))
            case _:
                return ApprovalOutcome(ApprovalStatus.NOT_PENDING, current, describe_state(current))

    async def reject(self, request_id: str, user: str, reason: str | None = None) -> Request:
        """An approver ends a pending request. Raises `NotAllowed` or `NotPending`."""
        request = await self._pending(request_id)
        if not await self.may_decide(user, request):
            raise NotAllowed(
                f"Only approvers of {request.action.value} on {request.cluster_name} "
                f"can reject {request.id}.",
                request=request,
            )
        reason = (reason or "").strip() or None
        check_reason(reason, what="rejection reason")
        message = f"{user} rejected {request.id}" + (f": {reason}" if reason else ".")
        return await self._finish_pending(
            request,
            RequestState.REJECTED,
            EventDraft(kind="rejected", actor=user, message=message, detail={"reason": reason}),
            {"rejected_by": user, "rejection_reason": reason},
        )

    async def cancel(self, request_id: str, user: str) -> Request:
        """The requester withdraws a pending request. Raises `NotAllowed` or `NotPending`."""
        request = await self._pending(request_id)
        if user != request.requester:
            raise NotAllowed(
                f"Only {request.requester}, who asked for {request.id}, can cancel it.", request=request
            )
        return await self._finish_pending(
            request,
            RequestState.CANCELLED,
            EventDraft(kind="cancelled", actor=user, message=f"{user} cancelled {request.id}."),
            {"cancelled_by": user},
        )

    async def stop(self, request_id: str, user: str) -> Request:
        """Anyone in the channel stops a break-glass request during its countdown. Raises `NotAllowed`
        (not an emergency request) or `NotPending` (it already ran, or was stopped)."""
        request = await self.get(request_id)
        if not request.is_emergency:
            raise NotAllowed(
                f"{request.id} is not an emergency change; an approver can reject it.", request=request
            )
        if request.state is not RequestState.PENDING:
            raise NotPending(request)
        return await self._finish_pending(
            request,
            RequestState.CANCELLED,
            EventDraft(
                kind="stopped",
                actor=user,
                message=f"{user} stopped the emergency change {request.id} before it ran.",
            ),
            {"cancelled_by": user, "runs_at": None},
        )

    async def acknowledge_review(self, request_id: str, user: str) -> Request:
        """An approver acknowledges the review of a break-glass change that ran. Raises `ReviewNotOpen`
        or `NotAllowed`."""
        request = await self.get(request_id)
        if request.review_state is not ReviewState.OPEN:
            raise ReviewNotOpen(request)
        if user == request.requester and not self.policy.allow_self_approval:
            raise NotAllowed(
                f"You made the emergency change {request.id}, so another approver has to review it.",
                request=request,
            )
        if not await self.is_approver(user, request.action, request.cluster_name):
            raise NotAllowed(
                f"Only approvers of {request.action.value} on {request.cluster_name} can acknowledge the "
                f"review of {request.id}.",
                request=request,
            )
        now = self._clock()
        moved = await self.store.update_if(
            request.id,
            at=now,
            review_state=ReviewState.OPEN,
            values={
                "review_state": ReviewState.ACKNOWLEDGED.value,
                "reviewed_by": user,
                "reviewed_at": now,
                "review_due_at": None,
            },
            event=EventDraft(
                kind="review_acknowledged",
                actor=user,
                message=f"{user} acknowledged the review of the emergency change {request.id}.",
            ),
        )
        if moved is None:
            raise ReviewNotOpen(await self.get(request.id))
        await self._changed(*moved)
        return moved[0]

    async def fire_due(self) -> list[str]:
        """Fire every timer that is due (countdowns, reviews, reminders, escalations, review reminders,
        expiry); each fires on exactly one replica. Returns one line per timer fired. Call it often."""
        from .timers import fire_due

        return await fire_due(self)

    async def sweep_expired(self) -> list[Request]:
        """Expire every pending request past its expiry (call periodically); returns those it expired."""
        now = self._clock()
        expired = []
        for request in await self.store.list_requests([RequestState.PENDING]):
            if request.expires_at <= now:
                done = await self._expire(request, now)
                if done.state is RequestState.EXPIRED:
                    expired.append(done)
        return expired

    # --- running ------------------------------------------------------------------------------------

    async def execute(self, request_id: str) -> Request:
        """Claim an approved request and carry it out. Safe to call from anywhere, any number of times:
        only the caller whose claim (approved → executing) succeeds calls the service layer."""
        now = self._clock()
        claimed = await self.store.transition(
            request_id,
            RequestState.APPROVED,
            RequestState.EXECUTING,
            at=now,
            event=EventDraft(
                kind="executing",
                actor=SYSTEM_ACTOR,
                message=f"Carrying out {request_id}.",
                detail={"instance": self.instance},
            ),
            values={"claimed_at": now, "claimed_by": self.instance, "lease_expires_at": now + self._lease},
        )
        if claimed is None:
            return await self.get(request_id)
        request, event = claimed
        await self._changed(request, event)

        started = time.monotonic()
        try:
            async with asyncio.timeout(self._execution_timeout.total_seconds()):
                result = await self._service.execute(request.plan)
        except OutcomeUnknownError as error:
            final = await self._to_unknown(request, str(error))
        except OpsError as error:
            status = error.status if isinstance(error, UpstreamFailure) else None
            upstream_id = error.request_id if isinstance(error, UpstreamFailure) else None
            final = await self._settle(
                request,
                RequestState.EXECUTING,
                None,
                Failure(message=str(error), status=status, request_id=upstream_id),
                kind="failed",
            )
        except TimeoutError:
            final = await self._to_unknown(
                request, f"DigitalOcean gave no answer within {self._execution_timeout.total_seconds():.0f}s."
            )
        except Exception:
            log.exception("the service layer failed unexpectedly", extra={"request_id": request.id})
            final = await self._to_unknown(request, "The change was interrupted by an unexpected error.")
        else:
            final = await self._settle_result(request, RequestState.EXECUTING, result, kind="executed")
        if self._metrics is not None:
            self._metrics.execution_latency.labels(request.action.value).observe(time.monotonic() - started)
        return final

    async def recover(self) -> list[Request]:
        """Finish what a crash interrupted, without ever repeating a change: requests `executing` past
        their lease and `unknown` ones are reconciled from DigitalOcean's state; `approved` ones that were
        never claimed are executed. Call at start-up and periodically; returns the requests it handled."""
        now = self._clock()
        handled: list[Request] = []
        for request in await self.store.list_requests([RequestState.EXECUTING]):
            if request.lease_expires_at is not None and request.lease_expires_at > now:
                continue  # its executor may still be at work
            moved = await self.store.transition(
                request.id,
                RequestState.EXECUTING,
                RequestState.UNKNOWN,
                at=now,
                event=EventDraft(
                    kind="interrupted",
                    actor=SYSTEM_ACTOR,
                    message=f"{request.id} was interrupted while being carried out; checking DigitalOcean "
                    "instead of repeating it.",
                    detail={"claimed_by": request.claimed_by},
                ),
            )
            if moved is not None:
                await self._changed(*moved)
        for request in await self.store.list_requests([RequestState.UNKNOWN]):
            handled.append(await self._reconcile(request))
        for request in await self.store.list_requests([RequestState.APPROVED]):
            handled.append(await self.execute(request.id))
        return handled

    # --- reading --------------------------------------------------------------------------------------

    async def get(self, request_id: str) -> Request:
        request = await self.store.get(request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return request

    async def list_pending(self) -> list[Request]:
        """Pending requests, oldest first."""
        return await self.store.list_requests([RequestState.PENDING])

    async def list_active(self) -> list[Request]:
        """Requests not finished yet (pending, approved, executing or unknown), oldest first."""
        return await self.store.list_requests(ACTIVE_STATES)

    async def audit(self, request_id: str) -> list[AuditEvent]:
        """Every event of one request, in order."""
        return await self.store.events(request_id=request_id)

    async def cluster_audit(
        self,
        cluster: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        last: int | None = None,
    ) -> list[AuditEvent]:
        """Every event on one cluster (its name or id), in order; `until` is exclusive. With `last`, only
        the latest `last` events (limited in SQL)."""
        return await self.store.events(
            cluster=cluster, since=since, until=until, limit=last, latest=last is not None
        )

    async def export_jsonl(
        self, since: datetime | None = None, until: datetime | None = None, cluster: str | None = None
    ) -> AsyncIterator[str]:
        """The audit log as JSON lines (each ending in a newline), oldest first, read page by page."""
        async for line in export_audit(self.store, since=since, until=until, cluster=cluster):
            yield line

    # --- internals ------------------------------------------------------------------------------------

    async def _pending(self, request_id: str) -> Request:
        request = await self.get(request_id)
        if request.state is not RequestState.PENDING:
            raise NotPending(request)
        now = self._clock()
        if request.expires_at <= now:
            raise NotPending(await self._expire(request, now))
        return request

    async def _finish_pending(
        self, request: Request, to: RequestState, event: EventDraft, values: dict[str, object]
    ) -> Request:
        now = self._clock()
        moved = await self.store.transition(
            request.id, RequestState.PENDING, to, at=now, event=event, values={**values, "finished_at": now}
        )
        if moved is None:
            raise NotPending(await self.get(request.id))
        await self._changed(*moved)
        return moved[0]

    async def _expire(self, request: Request, now: datetime) -> Request:
        moved = await self.store.transition(
            request.id,
            RequestState.PENDING,
            RequestState.EXPIRED,
            at=now,
            expired_by=now,
            values={"finished_at": now},
            event=EventDraft(
                kind="expired",
                actor=SYSTEM_ACTOR,
                message=f"{request.id} expired without enough approvals "
                f"({len(request.approvals)} of {request.required_approvals}).",
            ),
        )
        if moved is None:
            return await self.get(request.id)
        await self._changed(*moved)
        return moved[0]

    async def _to_unknown(self, request: Request, why: str) -> Request:
        moved = await self.store.transition(
            request.id,
            RequestState.EXECUTING,
            RequestState.UNKNOWN,
            at=self._clock(),
            event=EventDraft(kind="unknown", actor=SYSTEM_ACTOR, message=f"{why} Checking DigitalOcean."),
        )
        if moved is None:
            return await self._late(request, why)
        await self._changed(*moved)
        return await self._reconcile(moved[0])

    async def _reconcile(self, request: Request) -> Request:
        try:
            result = await self._service.reconcile(request.plan)
        except Exception as error:
            log.warning(
                "reconciliation failed; will retry", extra={"request_id": request.id, "error": repr(error)}
            )
            event = await self.store.append_event(
                EventDraft(
                    kind="reconcile_failed",
                    actor=SYSTEM_ACTOR,
                    message=f"Could not check {request.id} on DigitalOcean yet; will try again.",
                    detail={"error": str(error)},
                ),
                at=self._clock(),
                request=request,
            )
            await self._changed(request, event)
            return request
        return await self._settle_result(request, RequestState.UNKNOWN, result, kind="reconciled")

    async def _settle_result(
        self, request: Request, from_state: RequestState, result: ExecutionResult, *, kind: str
    ) -> Request:
        if result.outcome is Outcome.APPLIED:
            return await self._settle(request, from_state, result, None, kind=kind)
        return await self._settle(request, from_state, result, Failure(message=result.message), kind=kind)

    async def _settle(
        self,
        request: Request,
        from_state: RequestState,
        result: ExecutionResult | None,
        failure: Failure | None,
        *,
        kind: str,
    ) -> Request:
        now = self._clock()
        to = RequestState.FAILED if failure else RequestState.SUCCEEDED
        said = failure.message if failure else (result.message if result else "")
        detail: dict[str, object] = {"outcome": result.outcome.value if result else None}
        if failure is not None:
            detail |= {"status": failure.status, "do_request_id": failure.request_id}
        moved = await self.store.transition(
            request.id,
            from_state,
            to,
            at=now,
            values={**result_values(result, failure), "finished_at": now},
            event=EventDraft(
                kind=kind,
                actor=SYSTEM_ACTOR,
                message=f"{request.id} {'failed' if failure else 'succeeded'}: {said}",
                detail=detail,
            ),
        )
        if moved is None:
            return await self._late(request, said)
        await self._changed(*moved)
        return moved[0]

    async def _late(self, request: Request, said: str) -> Request:
        """A result for a request someone else already settled (e.g. reconciled after our lease)."""
        current = await self.get(request.id)
        log.warning("late result ignored", extra={"request_id": request.id, "state": current.state.value})
        await self.store.append_event(
            EventDraft(
                kind="late_result",
                actor=SYSTEM_ACTOR,
                message=f"A late result for {request.id} was ignored, "
                f"it is already {current.state.value}: {said}",
            ),
            at=self._clock(),
            request=current,
        )
        return current

    async def _refused(
        self,
        requester: str,
        message: str,
        at: datetime,
        *,
        change: Change | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        await self.store.append_event(
            EventDraft(
                kind="refused",
                actor=requester,
                message=message,
                detail={"change": change.model_dump(mode="json")} if change is not None else detail or {},
            ),
            at=at,
            cluster_name=change.cluster if change is not None else None,
        )

    async def _changed(self, request: Request, event: AuditEvent) -> None:
        log.info(
            event.message,
            extra={"request_id": request.id, "event": event.kind, "state": request.state.value},
        )
        if event.to_state is not None and self._metrics is not None:
            self._metrics.requests.labels(request.action.value, event.to_state.value).inc()
        try:
            await self._notifier.request_changed(request, event)
        except Exception:
            log.exception("the notifier failed", extra={"request_id": request.id, "event": event.kind})
