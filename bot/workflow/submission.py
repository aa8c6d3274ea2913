"""Intake: asking for a change. Intake bounds, the channel and break-glass rules, the plan (through the
runner), and storing the request (an emergency supersedes an ordinary pending request on its resource).
Every refusal is audited (`refused`). `ApprovalEngine.submit` calls `Intake.submit`."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from bot.ops.changes import Change
from bot.ops.errors import OpsError
from bot.ops.plan import Plan
from bot.store import (
    ActiveRequestExists,
    EmergencyCapReached,
    EventDraft,
    Request,
    RequestIdTaken,
    RequestState,
    Store,
)
from bot.store.records import new_request_id

from .breakglass import cap_reached, check_emergency, emergency_cap
from .channels import ChannelDirectory
from .decisions import Decisions
from .errors import (
    ChannelNotAllowed,
    DuplicateRequest,
    EmergencyRefused,
    InputTooLong,
    NotPending,
    RequestRefused,
    RevertRefused,
)
from .events import EventKind
from .intake import check_change, check_ids, check_reason
from .journal import Journal
from .policy import GroupResolver, Policy
from .ports import Clock
from .revert import changed_since
from .runner import Runner
from .timers import emergency_timers, pending_timers

__all__ = ["Intake"]


class Intake:
    def __init__(
        self,
        store: Store,
        journal: Journal,
        runner: Runner,
        decisions: Decisions,
        policy: Policy,
        groups: GroupResolver,
        channels: ChannelDirectory,
        clock: Clock,
    ) -> None:
        self._store = store
        self._journal = journal
        self._runner = runner
        self._decisions = decisions
        self._policy = policy
        self._groups = groups
        self._channels = channels
        self._clock = clock

    async def submit(
        self,
        change: Change,
        requester: str,
        channel: str,
        *,
        emergency: str | None,
        revert_of: Request | None = None,
    ) -> Request:
        """See `ApprovalEngine.submit`; with `revert_of`, the change undoes that request (`revert.py`), and
        is refused as stale when its resource is no longer as that request left it."""
        now = self._clock()
        emergency = (emergency or "").strip() or None
        check_ids(requester, channel)
        try:
            check_change(change)
            check_reason(emergency, what="emergency reason")
        except OpsError as error:  # a new name breaks its rule: planning's refusal, audited without it
            field = getattr(error, "field", None)
            await self.refused(requester, f"Refused for {requester}: {error}", now, detail={"field": field})
            raise RequestRefused(str(error), field=field) from None
        except InputTooLong as too_long:
            await self.refused(
                requester,
                f"Refused for {requester}: the {too_long.what} is {too_long.length} characters long.",
                now,
                detail={"field": too_long.field, "length": too_long.length},
            )
            raise
        if not self._policy.channel_allowed(channel):
            await self.refused(
                requester, f"{requester} asked in channel {channel}, which is not allowed.", now
            )
            raise ChannelNotAllowed(channel, self._policy.channels)
        if emergency is not None:
            try:
                rules = await check_emergency(
                    self._policy,
                    self._groups,
                    self._channels,
                    self._store,
                    action=change.action,
                    requester=requester,
                    channel=channel,
                    now=now,
                )
            except EmergencyRefused as refused:
                await self.refused(
                    requester, f"Emergency refused for {requester}: {refused}", now, change=change
                )
                raise
        try:
            plan = await self._runner.plan(change)
        except OpsError as error:
            await self.refused(requester, f"Refused for {requester}: {error}", now, change=change)
            raise RequestRefused(str(error), field=getattr(error, "field", None)) from None
        if revert_of is not None:
            await self._check_not_stale(revert_of, plan, requester, now)

        required = self._policy.required_approvals(
            plan.action, plan.cluster_name, revert=revert_of is not None
        )
        ttl = timedelta(minutes=self._policy.request_ttl_minutes)
        timers = (
            emergency_timers(now, ttl, rules.countdown_seconds)
            if emergency is not None
            else pending_timers(self._policy, now, ttl)
        )
        request_id = new_request_id()
        for _ in range(5):
            request = Request(
                id=request_id,
                action=plan.action,
                change=change,
                plan=plan,
                resource_key=plan.resource_key,
                cluster_id=plan.cluster_id,
                cluster_name=plan.cluster_name,
                state=RequestState.PENDING,
                requester=requester,
                channel=channel,
                required_approvals=required,
                created_at=now,
                updated_at=now,
                emergency_reason=emergency,
                revert_of=revert_of.id if revert_of is not None else None,
                **{"expires_at": now + ttl, **timers},
            )
            event = submitted_event(request)
            cap = emergency_cap(rules, now) if emergency is not None else None
            try:
                stored = await self._journal.insert(request, event, emergency_cap=cap)
            except RequestIdTaken:
                request_id = new_request_id()
                continue
            except EmergencyCapReached as reached:  # another emergency of theirs got in meanwhile
                too_many = cap_reached(reached.made)
                await self.refused(
                    requester, f"Emergency refused for {requester}: {too_many}", now, change=change
                )
                raise too_many from None
            except ActiveRequestExists as clash:
                existing = await self._store.get(clash.existing_id)
                if existing is None or existing.state.is_final:
                    continue  # it finished in between: try again
                if emergency is not None and await self._supersede(existing, request):
                    continue  # the ordinary pending request gave way: try again
                await self.refused(
                    requester,
                    f"Refused for {requester}: {existing.id} already asks for it.",
                    now,
                    change=change,
                )
                raise DuplicateRequest(existing) from None
            if revert_of is not None:
                await self._link_revert(revert_of, stored, now)
            return stored
        raise RuntimeError("could not store the request after 5 attempts")

    async def refused(
        self,
        requester: str,
        message: str,
        at: datetime,
        *,
        change: Change | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        """Audit a refused submission (`detail`: what was at fault, never the over-long text itself)."""
        await self._journal.note(
            EventDraft(
                kind=EventKind.REFUSED,
                actor=requester,
                message=message,
                detail={"change": change.model_dump(mode="json")} if change is not None else detail or {},
            ),
            at=at,
            cluster_name=change.cluster if change is not None else None,
        )

    async def _check_not_stale(self, original: Request, plan: Plan, requester: str, now: datetime) -> None:
        changed = changed_since(original, plan)
        if changed:
            stale = RevertRefused(original.id, f"{plan.target} changed since it ran ({'; '.join(changed)})")
            await self.refused(requester, f"Refused for {requester}: {stale}", now, change=plan.change)
            raise stale

    async def _link_revert(self, original: Request, revert: Request, now: datetime) -> None:
        """The original's audit log and thread name the request that reverts it."""
        await self._journal.note(
            EventDraft(
                kind=EventKind.REVERT_REQUESTED,
                actor=revert.requester,
                message=f"{revert.requester} asked to revert {original.id} with {revert.id}: "
                f"{revert.summary}.",
                detail={"revert": revert.id},
            ),
            at=now,
            request=original,
            tell=True,
        )

    async def _supersede(self, pending: Request, emergency: Request) -> bool:
        """An emergency supersedes an ordinary pending request on its resource: that one is cancelled, with
        the reason in its thread and the audit log. False if it is not (or no longer) such a request."""
        if pending.state is not RequestState.PENDING or pending.is_emergency:
            return False
        who = emergency.requester
        with contextlib.suppress(NotPending):  # approved or ended meanwhile: the retry sees it
            await self._decisions.finish_pending(
                pending,
                RequestState.CANCELLED,
                EventDraft(
                    kind=EventKind.SUPERSEDED,
                    actor=who,
                    message=f"{pending.id} was cancelled: the emergency change {emergency.id} by {who} "
                    "supersedes it.",
                    detail={"by": emergency.id, "reason": emergency.emergency_reason},
                ),
                {"cancelled_by": who},
            )
        return True


def submitted_event(request: Request) -> EventDraft:
    """The first event of a request: `emergency` (a break-glass request) or `submitted`."""
    change = request.change.model_dump(mode="json")
    if request.emergency_reason is not None:
        assert request.runs_at is not None
        return EventDraft(
            kind=EventKind.EMERGENCY,
            actor=request.requester,
            message=f"{request.requester} made an emergency change: {request.summary} "
            f"(reason: {request.emergency_reason}); it runs at {request.runs_at:%H:%M:%S} UTC unless "
            "stopped.",
            detail={
                "change": change,
                "fingerprint": request.plan.fingerprint,
                "reason": request.emergency_reason,
                "runs_at": request.runs_at.isoformat(),
            },
        )
    return EventDraft(
        kind=EventKind.SUBMITTED,
        actor=request.requester,
        message=f"{request.requester} asked to {request.summary}"
        + (f" (reverting {request.revert_of})" if request.revert_of else "")
        + f" ({request.required_approvals} approval(s) needed).",
        detail={"change": change, "fingerprint": request.plan.fingerprint, "revert_of": request.revert_of},
    )
