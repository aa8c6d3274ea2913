"""The only path that commits a change of a request: the conditional update and its audit event (one
transaction in the store), then the log line, the metric and the notification.

A state change must be an edge of the transition table (`transitions.EDGES`), checked before the store
is touched. Events the store commits itself (an approval, a new request) are published here too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from bot.metrics import Metrics
from bot.store import (
    ApprovalAdded,
    AuditEvent,
    EmergencyCap,
    EventDraft,
    Request,
    RequestState,
    ReviewState,
    Store,
    TimerColumn,
)

from .ports import Notifier
from .transitions import check_edge

__all__ = ["Journal", "Moved"]

# The engine's log lines keep the logger name operators (and their log filters) already know.
log = logging.getLogger("bot.workflow.engine")

Moved = tuple[Request, AuditEvent]


class Journal:
    def __init__(self, store: Store, notifier: Notifier, metrics: Metrics | None) -> None:
        self._store = store
        self._notifier = notifier
        self._metrics = metrics

    async def insert(
        self, request: Request, event: EventDraft, *, emergency_cap: EmergencyCap | None
    ) -> Request:
        """Store a new request with its first event (`new --submitted|emergency--> pending`). Raises what
        `Store.insert_request` raises (the resource is taken, the id is taken, the cap is reached)."""
        check_edge(None, event.kind, request.state)
        stored, audit = await self._store.insert_request(request, event, emergency_cap=emergency_cap)
        await self.publish(stored, [audit])
        return stored

    async def add_approval(self, request_id: str, user: str, at: datetime) -> ApprovalAdded:
        """Count an approval; the store moves the request `pending --approved--> approved` itself when the
        count is reached (under its row lock, so exactly one approval completes it)."""
        added = await self._store.add_approval(request_id, user, at)
        if added.request is not None:
            await self.publish(added.request, added.events)
        return added

    async def move(
        self,
        request: Request,
        source: RequestState,
        target: RequestState,
        event: EventDraft,
        *,
        at: datetime,
        values: Mapping[str, Any] | None = None,
        expired_by: datetime | None = None,
        claim: str | None = None,
    ) -> Request | None:
        """`source → target` if the request is still in `source` (and, with `expired_by`, past its
        expiry; with `claim`, still held by that claim); None when someone else moved it first."""
        check_edge(source, event.kind, target)
        moved = await self._store.transition(
            request.id,
            source,
            target,
            at=at,
            event=event,
            values=values,
            expired_by=expired_by,
            claimed_by=claim,
        )
        return await self._told(moved)

    async def renew(self, request: Request, claim: str, until: datetime) -> bool:
        """An executor's heartbeat: extend its lease to `until` while the request is `executing` under
        `claim`. Not a transition (no audit event, nobody told); False when the claim was lost."""
        return await self._store.renew_lease(request.id, claim, until)

    async def update(
        self,
        request: Request,
        event: EventDraft,
        *,
        at: datetime,
        values: Mapping[str, Any],
        state: RequestState | None = None,
        to_state: RequestState | None = None,
        due: TimerColumn | None = None,
        review_state: ReviewState | Literal["none"] | None = None,
    ) -> Request | None:
        """One conditional update (a timer, a review) with its event; None when a condition no longer
        holds (another replica got there first)."""
        if to_state is not None:
            check_edge(state, event.kind, to_state)
        moved = await self._store.update_if(
            request.id,
            at=at,
            event=event,
            values=values,
            state=state,
            to_state=to_state,
            due=due,
            review_state=review_state,
        )
        return await self._told(moved)

    async def note(
        self,
        event: EventDraft,
        *,
        at: datetime,
        request: Request | None = None,
        cluster_name: str | None = None,
        tell: bool = False,
    ) -> AuditEvent:
        """An event that moves nothing (a refusal, a late result, a failed check); `tell` publishes it."""
        stored = await self._store.append_event(event, at=at, request=request, cluster_name=cluster_name)
        if tell and request is not None:
            await self.publish(request, [stored])
        return stored

    async def publish(self, request: Request, events: Iterable[AuditEvent]) -> None:
        """Log, count and tell about committed events (a state change's edge is checked once more)."""
        for event in events:
            if event.to_state is not None:
                check_edge(event.from_state, event.kind, event.to_state)
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

    async def _told(self, moved: Moved | None) -> Request | None:
        if moved is None:
            return None
        request, event = moved
        await self.publish(request, [event])
        return request
