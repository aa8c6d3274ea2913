"""Asking for a change: intake bounds, the channel and break-glass rules, the plan, and storing the request
(an emergency supersedes an ordinary pending request on its resource). `ApprovalEngine.submit` calls it."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.ops.changes import Change, DbDrop
from bot.ops.errors import OpsError
from bot.store import (
    ActiveRequestExists,
    EmergencyCapReached,
    EventDraft,
    Request,
    RequestIdTaken,
    RequestState,
)
from bot.store.records import new_request_id

from .breakglass import cap_reached, check_emergency, emergency_cap
from .errors import (
    ChannelNotAllowed,
    DuplicateRequest,
    EmergencyRefused,
    InputTooLong,
    NotPending,
    ProtectedDatabase,
    RequestRefused,
)
from .intake import check_change, check_ids, check_reason
from .timers import emergency_timers, pending_timers, submitted_event

if TYPE_CHECKING:
    from .engine import ApprovalEngine

__all__ = ["submit"]


async def submit(
    engine: ApprovalEngine, change: Change, requester: str, channel: str, *, emergency: str | None
) -> Request:
    """See `ApprovalEngine.submit`."""
    now = engine._clock()
    emergency = (emergency or "").strip() or None
    check_ids(requester, channel)
    try:
        check_change(change)
        check_reason(emergency, what="emergency reason")
    except InputTooLong as too_long:
        await engine._refused(
            requester,
            f"Refused for {requester}: the {too_long.what} is {too_long.length} characters long.",
            now,
            detail={"field": too_long.field, "length": too_long.length},
        )
        raise
    if not engine.policy.channel_allowed(channel):
        await engine._refused(
            requester, f"{requester} asked in channel {channel}, which is not allowed.", now
        )
        raise ChannelNotAllowed(channel, engine.policy.channels)
    if emergency is not None:
        try:
            rules = await check_emergency(
                engine.policy,
                engine._groups,
                engine.channels,
                engine.store,
                action=change.action,
                requester=requester,
                channel=channel,
                now=now,
            )
        except EmergencyRefused as refused:
            await engine._refused(
                requester, f"Emergency refused for {requester}: {refused}", now, change=change
            )
            raise
    try:
        plan = await engine._service.plan(change)
    except OpsError as error:
        await engine._refused(requester, f"Refused for {requester}: {error}", now, change=change)
        raise RequestRefused(str(error), field=getattr(error, "field", None)) from None
    if isinstance(change, DbDrop) and engine.policy.is_protected(change.db):
        await engine._refused(
            requester, f"Refused for {requester}: {change.db} is protected.", now, change=change
        )
        raise ProtectedDatabase(change.db, plan.cluster_name)

    required = engine.policy.required_approvals(plan.action, plan.cluster_name)
    ttl = timedelta(minutes=engine.policy.request_ttl_minutes)
    timers = (
        emergency_timers(now, ttl, rules.countdown_seconds)
        if emergency is not None
        else pending_timers(engine.policy, now, ttl)
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
            **{"expires_at": now + ttl, **timers},
        )
        event = submitted_event(request)
        cap = emergency_cap(rules, now) if emergency is not None else None
        try:
            stored, audit = await engine.store.insert_request(request, event, emergency_cap=cap)
        except RequestIdTaken:
            request_id = new_request_id()
            continue
        except EmergencyCapReached as reached:  # another emergency of theirs got in meanwhile
            too_many = cap_reached(reached.made)
            await engine._refused(
                requester, f"Emergency refused for {requester}: {too_many}", now, change=change
            )
            raise too_many from None
        except ActiveRequestExists as clash:
            existing = await engine.store.get(clash.existing_id)
            if existing is None or existing.state.is_final:
                continue  # it finished in between: try again
            if emergency is not None and await _supersede(engine, existing, request):
                continue  # the ordinary pending request gave way: try again
            await engine._refused(
                requester,
                f"Refused for {requester}: {existing.id} already asks for it.",
                now,
                change=change,
            )
            raise DuplicateRequest(existing) from None
        await engine._changed(stored, audit)
        return stored
    raise RuntimeError("could not store the request after 5 attempts")


async def _supersede(engine: ApprovalEngine, pending: Request, emergency: Request) -> bool:
    """An emergency supersedes an ordinary pending request on its resource: that one is cancelled, with
    the reason in its thread and the audit log. False if it is not (or no longer) such a request."""
    if pending.state is not RequestState.PENDING or pending.is_emergency:
        return False
    who = emergency.requester
    with contextlib.suppress(NotPending):  # approved or ended meanwhile: the retry sees it
        await engine._finish_pending(
            pending,
            RequestState.CANCELLED,
            EventDraft(
                kind="superseded",
                actor=who,
                message=f"{pending.id} was cancelled: the emergency change {emergency.id} by {who} "
                "supersedes it.",
                detail={"by": emergency.id, "reason": emergency.emergency_reason},
            ),
            {"cancelled_by": who},
        )
    return True
