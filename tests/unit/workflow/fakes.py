"""Small fakes the engine tests use: a service layer that counts its calls, a clock, a notifier."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.ops.changes import Change, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolResize
from bot.ops.errors import InvalidRequest
from bot.ops.plan import (
    DatabaseSnapshot,
    ExecutionResult,
    Outcome,
    Plan,
    PoolSnapshot,
    Snapshot,
    fingerprint,
)
from bot.store import AuditEvent, Request, RequestState

CLUSTERS = {
    "prod-pg": "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30",
    "staging-pg": "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "analytics-pg": "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
}

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_plan(change: Change) -> Plan:
    if change.cluster not in CLUSTERS:
        raise InvalidRequest(f"There is no cluster named {change.cluster}.", field="cluster")
    before: Snapshot | None
    after: Snapshot | None
    match change:
        case PoolCreate():
            target, before = change.pool, None
            after = PoolSnapshot(size=change.size, mode=change.mode, db=change.db, user=change.user)
        case PoolResize():
            target, before = change.pool, PoolSnapshot(size=20, mode="transaction", db="app", user="app")
            after = before.model_copy(update={"size": change.size or 20, "mode": change.mode or before.mode})
        case PoolDelete():
            target, after = change.pool, None
            before = PoolSnapshot(size=20, mode="transaction", db="app", user="app")
        case DbCreate():
            target, before, after = change.db, None, DatabaseSnapshot(name=change.db)
        case DbDrop():
            target, before, after = change.db, DatabaseSnapshot(name=change.db), None
    return Plan(
        action=change.action,
        change=change,
        cluster_id=CLUSTERS[change.cluster],
        cluster_name=change.cluster,
        target=target,
        before=before,
        after=after,
        fingerprint=fingerprint([change.cluster, target, before.fields() if before else None]),
    )


def applied(plan: Plan) -> ExecutionResult:
    return ExecutionResult(
        outcome=Outcome.APPLIED, observed=plan.after, message=f"{plan.summary} done.", calls=1
    )


def not_applied(plan: Plan) -> ExecutionResult:
    return ExecutionResult(
        outcome=Outcome.NOT_APPLIED,
        observed=plan.before,
        message=f"DigitalOcean still shows {plan.target} as before.",
    )


@dataclass
class FakeService:
    """Implements the engine's `ChangeService`; `execute_error`/`reconcile_error` make a call raise,
    `reconcile_applied` says what reconcile finds, `gate` makes execute wait until it is set."""

    execute_error: Exception | None = None
    reconcile_error: Exception | None = None
    reconcile_applied: bool = True
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    planned: list[Change] = field(default_factory=list)
    executed: list[Plan] = field(default_factory=list)
    reconciled: list[Plan] = field(default_factory=list)

    async def plan(self, change: Change) -> Plan:
        self.planned.append(change)
        return make_plan(change)

    async def execute(self, plan: Plan) -> ExecutionResult:
        self.executed.append(plan)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.execute_error is not None:
            raise self.execute_error
        return applied(plan)

    async def reconcile(self, plan: Plan) -> ExecutionResult:
        self.reconciled.append(plan)
        if self.reconcile_error is not None:
            raise self.reconcile_error
        return applied(plan) if self.reconcile_applied else not_applied(plan)


@dataclass
class RecordingNotifier:
    seen: list[tuple[str, RequestState, str]] = field(default_factory=list)
    fail: bool = False

    async def request_changed(self, request: Request, event: AuditEvent) -> None:
        self.seen.append((request.id, request.state, event.kind))
        if self.fail:
            raise RuntimeError("Slack is down")

    def kinds(self) -> list[str]:
        return [kind for _, _, kind in self.seen]
