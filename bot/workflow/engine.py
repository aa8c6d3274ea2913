"""The approval engine: the one entry point of the workflow, a facade over its parts.

    authority   who may approve, reject, cancel, stop or acknowledge a request now (`authority.py`)
    journal     the only path that commits a change: update + audit event + log + metric + notification
    intake      asking for a change (`submission.py`; bounds in `intake.py`)
    decisions   approve, reject, cancel, stop, acknowledge, expire (`decisions.py`)
    runner      claim, execute, settle, recover: the only caller of the service layer (`runner.py`)
    timers      the table of timers, fired by one sweep (`timers.py`)

The state machine is `transitions.EDGES` (drawn in docs/WORKFLOW.md). It knows nothing of Slack or HTTP.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from bot.metrics import Metrics
from bot.ops.changes import Action, Change
from bot.store import ACTIVE_STATES, AuditEvent, Request, RequestState, Store

from .audit_export import export_audit
from .authority import Act, Authority, Verdict
from .channels import ChannelDirectory, NoChannelDirectory
from .decisions import Decisions
from .errors import AuditNotAllowed, ChannelNotAllowed, RequestNotFound, RevertRefused
from .journal import Journal
from .outcomes import ApprovalOutcome
from .policy import GroupResolver, Policy
from .ports import ChangeService, Clock, Notifier, SilentNotifier, utc_now
from .revert import check_revertible, inverse_change
from .runner import SYSTEM_ACTOR, Runner
from .submission import Intake
from .timers import EXPIRY, Timers

__all__ = ["SYSTEM_ACTOR", "ApprovalEngine"]


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
        lease: timedelta = timedelta(seconds=15),
        instance: str | None = None,
        channels: ChannelDirectory | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.channels: ChannelDirectory = channels or NoChannelDirectory()
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._clock = clock
        self._groups = resolver
        journal = Journal(store, notifier or SilentNotifier(), metrics)
        self.authority = Authority(policy, resolver)
        self._runner = Runner(
            store,
            journal,
            service,
            clock,
            metrics=metrics,
            execution_timeout=execution_timeout,
            lease=lease,
            instance=self.instance,
            revert_window=timedelta(minutes=policy.revert_window_minutes),
        )
        self._decisions = Decisions(store, journal, self.authority, self._runner, clock)
        parts = (store, journal, self._decisions, self._runner, policy, resolver, self.channels, clock)
        self._timers = Timers(*parts)
        self._intake = Intake(
            store, journal, self._runner, self._decisions, policy, resolver, self.channels, clock
        )

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
        sentence, a protected database's too) or `DuplicateRequest` (naming the live request). See
        `submission`.
        """
        return await self._intake.submit(change, requester, channel, emergency=emergency)

    async def revert(self, request_id: str, requester: str, channel: str) -> Request:
        """Open a new pending request that undoes the succeeded `request_id` (`revert.py`), linked both
        ways (`revert_of` on the new one, a `revert_requested` event on the original). Raises
        `RequestNotFound`, `RevertRefused` (not revertible, past its window, or stale: naming what changed)
        and whatever `submit` raises."""
        original = await self.get(request_id)
        try:
            check_revertible(original, self.policy, self._clock())
            change = inverse_change(original)
        except RevertRefused as refused:
            await self._intake.refused(requester, f"Refused for {requester}: {refused}", self._clock())
            raise
        return await self._intake.submit(change, requester, channel, emergency=None, revert_of=original)

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

    async def verdict(self, act: Act, user: str, request: Request) -> Verdict:
        """May `user` do `act` to `request` now? The authority's answer (`verdict.allowed`, or
        `verdict.reason` and `verdict.sentence`), for controls that show, hide or refuse a button."""
        return await self.authority.verdict(act, user, request, self._clock())

    async def is_approver(self, user: str, action: Action, cluster_name: str) -> bool:
        """Whether the policy lets `user` approve `action` on `cluster_name` (groups expanded)."""
        return await self.authority.is_approver(user, action, cluster_name)

    async def may_decide(self, user: str, request: Request) -> bool:
        """Whether `user` is an approver of `request` as it is now (an escalated request's top-level list
        includes the escalation approvers): the authority's approver rule for approve and reject."""
        return await self.authority.may_decide(user, request)

    async def approve(self, request_id: str, user: str) -> ApprovalOutcome:
        """Count `user`'s approval. The approval that completes the count also runs the change (once),
        and the outcome then carries the executed request. Raises only `RequestNotFound`."""
        return await self._decisions.approve(request_id, user)

    async def reject(self, request_id: str, user: str, reason: str | None = None) -> Request:
        """An approver ends a pending request. Raises `NotAllowed`, `NotPending` or `InputTooLong`."""
        return await self._decisions.reject(request_id, user, reason)

    async def cancel(self, request_id: str, user: str) -> Request:
        """The requester withdraws a pending request. Raises `NotAllowed` or `NotPending`."""
        return await self._decisions.cancel(request_id, user)

    async def stop(self, request_id: str, user: str) -> Request:
        """Anyone in the channel stops a break-glass request during its countdown. Raises `NotAllowed`
        (not an emergency request) or `NotPending` (it already ran, or was stopped)."""
        return await self._decisions.stop(request_id, user)

    async def acknowledge_review(self, request_id: str, user: str) -> Request:
        """An approver acknowledges the review of a break-glass change that ran. Raises `ReviewNotOpen`
        or `NotAllowed`."""
        return await self._decisions.acknowledge_review(request_id, user)

    async def fire_due(self) -> list[str]:
        """Fire every timer that is due (countdowns, reviews, reminders, escalations, review reminders,
        expiry); each fires on exactly one replica. Returns one line per timer fired. Call it often."""
        return [fired.line for fired in await self._timers.fire_due()]

    async def sweep_expired(self) -> list[Request]:
        """Expire every pending request past its expiry (the timer table's expiry row alone); returns
        those it expired."""
        return [fired.request for fired in await self._timers.fire_due(EXPIRY)]

    # --- running ------------------------------------------------------------------------------------

    async def execute(self, request_id: str) -> Request:
        """Claim an approved request and carry it out. Safe to call from anywhere, any number of times:
        only the caller whose claim (approved → executing) succeeds calls the service layer."""
        return await self._runner.execute(request_id)

    async def recover(self) -> list[Request]:
        """Finish what a crash interrupted, without ever repeating a change: requests `executing` past
        their lease and `unknown` ones are reconciled from DigitalOcean's state; `approved` ones that were
        never claimed are executed. Call at start-up and periodically; returns the requests it handled."""
        return await self._runner.recover()

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
