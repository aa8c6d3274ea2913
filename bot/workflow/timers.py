"""Timers kept in the store and fired by a periodic sweep, once each, whichever replica gets there first.

    runs_at        a break-glass request's countdown: pending → approved, then executed, if the policy
                   still allows it then (otherwise pending → cancelled, `emergency_revoked`)
    remind_at      a pending request reminds its approvers (once, at `reminders.at_fraction` of its life)
    escalate_at    a pending request is escalated to `escalation.approvers` (who may then approve it)
    review_due_at  an open break-glass review reminds its approvers again, until acknowledged

Every firing is one conditional UPDATE (`Store.update_if`: the due time is still set and past, the state
is still the expected one) written with its audit event; the replica whose update wins tells Slack.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.store import EventDraft, Request, RequestState, ReviewState

from .breakglass import allowed_emergency, mentionable
from .errors import EmergencyRefused
from .policy import Policy

if TYPE_CHECKING:
    from .engine import ApprovalEngine

__all__ = ["emergency_timers", "fire_due", "pending_timers", "submitted_event"]

_ACTOR = "dbops"


def pending_timers(policy: Policy, now: datetime, ttl: timedelta) -> dict[str, Any]:
    """Due times of an ordinary request: its reminder and, if the policy escalates, its escalation."""
    timers: dict[str, Any] = {}
    if policy.reminders.enabled:
        timers["remind_at"] = now + ttl * policy.reminders.at_fraction
    if policy.escalation is not None:
        after = timedelta(minutes=policy.escalation.after_minutes)
        if after < ttl:
            timers["escalate_at"] = now + after
    return timers


def emergency_timers(now: datetime, ttl: timedelta, countdown_seconds: int) -> dict[str, Any]:
    """A break-glass request runs after its countdown; it expires (unrun) a lifetime after that."""
    runs_at = now + timedelta(seconds=countdown_seconds)
    return {"runs_at": runs_at, "expires_at": runs_at + ttl}


def submitted_event(request: Request) -> EventDraft:
    change = request.change.model_dump(mode="json")
    if request.emergency_reason is not None:
        assert request.runs_at is not None
        return EventDraft(
            kind="emergency",
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
        kind="submitted",
        actor=request.requester,
        message=f"{request.requester} asked to {request.summary} "
        f"({request.required_approvals} approval(s) needed).",
        detail={"change": change, "fingerprint": request.plan.fingerprint},
    )


async def fire_due(engine: ApprovalEngine) -> list[str]:
    fired: list[str] = []
    fired += await _countdowns(engine)
    fired += await _open_reviews(engine)
    fired += await _reminders(engine)
    fired += await _escalations(engine)
    fired += await _review_reminders(engine)
    fired += [f"expired {r.id}" for r in await engine.sweep_expired()]
    return fired


def _approvers(engine: ApprovalEngine, request: Request) -> list[str]:
    return mentionable(engine.policy.approver_lists(request.action, request.cluster_name))


async def _countdowns(engine: ApprovalEngine) -> list[str]:
    now = engine._clock()
    fired = []
    for request in await engine.store.due("runs_at", now, state=RequestState.PENDING):
        try:  # the policy may have changed since (or the bot restarted with another one): ask it again
            await allowed_emergency(
                engine.policy,
                engine._groups,
                engine.channels,
                action=request.action,
                requester=request.requester,
                channel=request.channel,
            )
        except EmergencyRefused as refused:
            if await _revoke(engine, request, str(refused), now):
                fired.append(f"revoked {request.id}")
            continue
        moved = await engine.store.update_if(
            request.id,
            at=now,
            state=RequestState.PENDING,
            to_state=RequestState.APPROVED,
            due="runs_at",
            values={"runs_at": None},
            event=EventDraft(
                kind="countdown_over",
                actor=_ACTOR,
                message=f"Nobody stopped the emergency change {request.id}; it runs now.",
            ),
        )
        if moved is None:
            continue  # stopped meanwhile, or another replica fired it
        await engine._changed(*moved)
        await engine.execute(request.id)
        fired.append(f"ran {request.id}")
    return fired


async def _revoke(engine: ApprovalEngine, request: Request, why: str, now: datetime) -> bool:
    moved = await engine.store.update_if(
        request.id,
        at=now,
        state=RequestState.PENDING,
        to_state=RequestState.CANCELLED,
        due="runs_at",
        values={"runs_at": None, "cancelled_by": _ACTOR, "finished_at": now},
        event=EventDraft(
            kind="emergency_revoked",
            actor=_ACTOR,
            message=f"The emergency change {request.id} did not run: the policy no longer allows it. {why}",
            detail={"reason": why},
        ),
    )
    if moved is None:
        return False  # stopped meanwhile, or another replica got there first
    await engine._changed(*moved)
    return True


async def _open_reviews(engine: ApprovalEngine) -> list[str]:
    rules = engine.policy.break_glass
    every = timedelta(minutes=rules.review_reminder_minutes if rules else 240)
    fired = []
    for request in await engine.store.list_for_review():
        now = engine._clock()
        notify = _approvers(engine, request)
        moved = await engine.store.update_if(
            request.id,
            at=now,
            review_state="none",
            values={"review_state": ReviewState.OPEN.value, "review_due_at": now + every},
            event=EventDraft(
                kind="review_opened",
                actor=_ACTOR,
                message=f"The emergency change {request.id} ran ({request.state.value}); an approver must "
                "acknowledge its review.",
                detail={"notify": notify, "reason": request.emergency_reason},
            ),
        )
        if moved is not None:
            await engine._changed(*moved)
            fired.append(f"review of {request.id} opened")
    return fired


async def _reminders(engine: ApprovalEngine) -> list[str]:
    now = engine._clock()
    fired = []
    for request in await engine.store.due("remind_at", now, state=RequestState.PENDING):
        notify = _approvers(engine, request)
        moved = await engine.store.update_if(
            request.id,
            at=now,
            state=RequestState.PENDING,
            due="remind_at",
            values={"remind_at": None},
            event=EventDraft(
                kind="reminded",
                actor=_ACTOR,
                message=f"{request.id} is still waiting for {request.approvals_missing} approval(s); "
                "its approvers were reminded.",
                detail={"notify": notify},
            ),
        )
        if moved is not None:
            await engine._changed(*moved)
            fired.append(f"reminded {request.id}")
    return fired


async def _escalations(engine: ApprovalEngine) -> list[str]:
    escalation = engine.policy.escalation
    now = engine._clock()
    fired = []
    for request in await engine.store.due("escalate_at", now, state=RequestState.PENDING):
        widened = engine.policy.escalation_widens(request.action)
        notify = (
            mentionable([escalation.approvers]) if widened and escalation else _approvers(engine, request)
        )
        also = mentionable(engine.policy.cluster_approver_lists(request.cluster_name)) if widened else []
        moved = await engine.store.update_if(
            request.id,
            at=now,
            state=RequestState.PENDING,
            due="escalate_at",
            values={"escalate_at": None, "escalated_at": now},
            event=EventDraft(
                kind="escalated",
                actor=_ACTOR,
                message=f"{request.id} was escalated: nobody approved it in "
                f"{escalation.after_minutes if escalation else '?'} minutes.",
                detail={"notify": notify, "widened": widened, "also": also},
            ),
        )
        if moved is not None:
            await engine._changed(*moved)
            fired.append(f"escalated {request.id}")
    return fired


async def _review_reminders(engine: ApprovalEngine) -> list[str]:
    rules = engine.policy.break_glass
    every = timedelta(minutes=rules.review_reminder_minutes if rules else 240)
    now = engine._clock()
    fired = []
    for request in await engine.store.due("review_due_at", now):
        moved = await engine.store.update_if(
            request.id,
            at=now,
            review_state=ReviewState.OPEN,
            due="review_due_at",
            values={"review_due_at": now + every},
            event=EventDraft(
                kind="review_reminded",
                actor=_ACTOR,
                message=f"The review of the emergency change {request.id} is still waiting for an approver.",
                detail={"notify": _approvers(engine, request)},
            ),
        )
        if moved is not None:
            await engine._changed(*moved)
            fired.append(f"review of {request.id} reminded")
    return fired
