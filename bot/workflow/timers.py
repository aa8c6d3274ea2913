"""Timers kept in the store and fired by one sweep, once each, whichever replica gets there first.
`TIMERS` is the table: what fires, from which due column, in which state, by which handler.

    countdown      runs_at        pending  a break-glass request runs, if the policy still allows it
                                           (otherwise pending → cancelled, `emergency_revoked`)
    review         (ran, unread)  -        a break-glass change that ran opens its review
    reminder       remind_at      pending  its approvers are reminded (once, at `reminders.at_fraction`)
    escalation     escalate_at    pending  escalated to `escalation.approvers` (who may then approve it)
    review reminder review_due_at -        an open review reminds its approvers again, until acknowledged
    expiry         expires_at     pending  pending → expired
    revert window  revert_until   succeeded  the Revert window ends: the card is redrawn without it

Every firing is one conditional update through the journal (the due time is still set and past, the
state is still the expected one); the replica whose update wins tells Slack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.store import EventDraft, Request, RequestState, ReviewState, Store, TimerColumn

from .breakglass import allowed_emergency, mentionable
from .channels import ChannelDirectory
from .decisions import Decisions
from .errors import EmergencyRefused
from .events import EventKind
from .journal import Journal
from .policy import GroupResolver, Policy
from .ports import Clock
from .runner import SYSTEM_ACTOR, Runner

__all__ = ["EXPIRY", "TIMERS", "Fired", "Timer", "Timers", "emergency_timers", "pending_timers"]

_S = RequestState
Column = TimerColumn | Literal["expires_at"] | None
"""A due column of the store, `expires_at`, or None: break-glass changes that ran and await a review."""


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


@dataclass(frozen=True, slots=True)
class Fired:
    line: str  # e.g. "reminded R-7K3F9Q"
    request: Request  # as the firing left it


Handler = Callable[["Timers", Request, datetime], Awaitable[Fired | None]]


@dataclass(frozen=True, slots=True)
class Timer:
    name: str
    column: Column
    state: RequestState | None
    fire: Handler
    """Returns what it did, or None when a condition no longer held (someone got there first)."""


class Timers:
    def __init__(
        self,
        store: Store,
        journal: Journal,
        decisions: Decisions,
        runner: Runner,
        policy: Policy,
        groups: GroupResolver,
        channels: ChannelDirectory,
        clock: Clock,
    ) -> None:
        self._store = store
        self._journal = journal
        self._decisions = decisions
        self._runner = runner
        self._policy = policy
        self._groups = groups
        self._channels = channels
        self._clock = clock

    async def fire_due(self, only: tuple[Timer, ...] | None = None) -> list[Fired]:
        """Fire every due timer of `TIMERS` (or of `only`), in the table's order."""
        fired: list[Fired] = []
        for timer in only or TIMERS:
            for request in await self._due(timer, self._clock()):
                done = await timer.fire(self, request, self._clock())
                if done is not None:
                    fired.append(done)
        return fired

    async def _due(self, timer: Timer, now: datetime) -> list[Request]:
        if timer.column is None:
            return await self._store.list_for_review()
        if timer.column == "expires_at":
            pending = await self._store.list_requests([_S.PENDING])
            return [r for r in pending if r.expires_at <= now]
        return await self._store.due(timer.column, now, state=timer.state)

    def _approvers(self, request: Request) -> list[str]:
        lists = self._policy.approver_lists(
            request.action, request.cluster_name, revert=request.revert_of is not None
        )
        return mentionable(lists)

    def _review_every(self) -> timedelta:
        rules = self._policy.break_glass
        return timedelta(minutes=rules.review_reminder_minutes if rules else 240)

    async def countdown(self, request: Request, now: datetime) -> Fired | None:
        try:  # the policy may have changed since (or the bot restarted with another one): ask it again
            await allowed_emergency(
                self._policy,
                self._groups,
                self._channels,
                action=request.action,
                requester=request.requester,
                channel=request.channel,
            )
        except EmergencyRefused as refused:
            return await self._revoke(request, str(refused), now)
        event = EventDraft(
            kind=EventKind.COUNTDOWN_OVER,
            actor=SYSTEM_ACTOR,
            message=f"Nobody stopped the emergency change {request.id}; it runs now.",
        )
        moved = await self._journal.update(
            request,
            event,
            at=now,
            state=_S.PENDING,
            to_state=_S.APPROVED,
            due="runs_at",
            values={"runs_at": None},
        )
        if moved is None:
            return None  # stopped meanwhile, or another replica fired it
        return Fired(f"ran {request.id}", await self._runner.execute(request.id))

    async def _revoke(self, request: Request, why: str, now: datetime) -> Fired | None:
        event = EventDraft(
            kind=EventKind.EMERGENCY_REVOKED,
            actor=SYSTEM_ACTOR,
            message=f"The emergency change {request.id} did not run: the policy no longer allows it. {why}",
            detail={"reason": why},
        )
        moved = await self._journal.update(
            request,
            event,
            at=now,
            state=_S.PENDING,
            to_state=_S.CANCELLED,
            due="runs_at",
            values={"runs_at": None, "cancelled_by": SYSTEM_ACTOR, "finished_at": now},
        )
        # None: stopped meanwhile, or another replica got there first
        return Fired(f"revoked {request.id}", moved) if moved is not None else None

    async def open_review(self, request: Request, now: datetime) -> Fired | None:
        event = EventDraft(
            kind=EventKind.REVIEW_OPENED,
            actor=SYSTEM_ACTOR,
            message=f"The emergency change {request.id} ran ({request.state.value}); an approver must "
            "acknowledge its review.",
            detail={"notify": self._approvers(request), "reason": request.emergency_reason},
        )
        values = {"review_state": ReviewState.OPEN.value, "review_due_at": now + self._review_every()}
        moved = await self._journal.update(request, event, at=now, review_state="none", values=values)
        return Fired(f"review of {request.id} opened", moved) if moved is not None else None

    async def remind(self, request: Request, now: datetime) -> Fired | None:
        event = EventDraft(
            kind=EventKind.REMINDED,
            actor=SYSTEM_ACTOR,
            message=f"{request.id} is still waiting for {request.approvals_missing} approval(s); "
            "its approvers were reminded.",
            detail={"notify": self._approvers(request)},
        )
        moved = await self._journal.update(
            request, event, at=now, state=_S.PENDING, due="remind_at", values={"remind_at": None}
        )
        return Fired(f"reminded {request.id}", moved) if moved is not None else None

    async def escalate(self, request: Request, now: datetime) -> Fired | None:
        escalation = self._policy.escalation
        widened = self._policy.escalation_widens(request.action)
        notify = mentionable([escalation.approvers]) if widened and escalation else self._approvers(request)
        also = mentionable(self._policy.cluster_approver_lists(request.cluster_name)) if widened else []
        event = EventDraft(
            kind=EventKind.ESCALATED,
            actor=SYSTEM_ACTOR,
            message=f"{request.id} was escalated: nobody approved it in "
            f"{escalation.after_minutes if escalation else '?'} minutes.",
            detail={"notify": notify, "widened": widened, "also": also},
        )
        moved = await self._journal.update(
            request,
            event,
            at=now,
            state=_S.PENDING,
            due="escalate_at",
            values={"escalate_at": None, "escalated_at": now},
        )
        return Fired(f"escalated {request.id}", moved) if moved is not None else None

    async def remind_review(self, request: Request, now: datetime) -> Fired | None:
        event = EventDraft(
            kind=EventKind.REVIEW_REMINDED,
            actor=SYSTEM_ACTOR,
            message=f"The review of the emergency change {request.id} is still waiting for an approver.",
            detail={"notify": self._approvers(request)},
        )
        moved = await self._journal.update(
            request,
            event,
            at=now,
            review_state=ReviewState.OPEN,
            due="review_due_at",
            values={"review_due_at": now + self._review_every()},
        )
        return Fired(f"review of {request.id} reminded", moved) if moved is not None else None

    async def end_revert_window(self, request: Request, now: datetime) -> Fired | None:
        event = EventDraft(
            kind=EventKind.REVERT_WINDOW_ENDED,
            actor=SYSTEM_ACTOR,
            message=f"{request.id} can no longer be reverted: its revert window has ended.",
        )
        moved = await self._journal.update(
            request, event, at=now, state=_S.SUCCEEDED, due="revert_until", values={"revert_until": None}
        )
        return Fired(f"revert window of {request.id} ended", moved) if moved is not None else None

    async def expire(self, request: Request, now: datetime) -> Fired | None:
        done = await self._decisions.expire(request, now)
        return Fired(f"expired {request.id}", done) if done.state is _S.EXPIRED else None


TIMERS: tuple[Timer, ...] = (
    Timer("countdown", "runs_at", _S.PENDING, Timers.countdown),
    Timer("review", None, None, Timers.open_review),
    Timer("reminder", "remind_at", _S.PENDING, Timers.remind),
    Timer("escalation", "escalate_at", _S.PENDING, Timers.escalate),
    Timer("review reminder", "review_due_at", None, Timers.remind_review),
    Timer("revert window", "revert_until", _S.SUCCEEDED, Timers.end_revert_window),
    Timer("expiry", "expires_at", _S.PENDING, Timers.expire),
)
EXPIRY: tuple[Timer, ...] = TIMERS[-1:]
"""Only the expiry row (`ApprovalEngine.sweep_expired`)."""
