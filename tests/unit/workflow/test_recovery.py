"""Crash recovery in seconds: the executor's heartbeat keeps a short lease alive while DigitalOcean holds
the write; a lost claim stops the executor from settling; an interrupted change that was not applied is
carried out under a new claim, once, with the approvals it had; a plan that no longer holds fails with its
reason and offers to request the change again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.ops.errors import OutcomeUnknownError, StalePlan
from bot.store import Request, RequestState, Store
from bot.workflow import REQUEST_AGAIN, ApprovalEngine, Policy

from .conftest import GROUPS
from .fakes import FakeClock, FakeService, RecordingNotifier
from .test_execution import STAGING

BEAT = timedelta(seconds=0.3)  # a lease renewed every 0.1 s of real time
CAP = 30.0  # seconds: a generous bound on waiting for what the executor does in the background


async def _poll(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(int(CAP / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited {CAP:.0f} s for {what}")


async def _stuck(
    store: Store, policy: Policy, clock: FakeClock, *, lease: timedelta = BEAT
) -> tuple[Request, FakeService, asyncio.Task[object]]:
    """A request whose executor is at work: DigitalOcean holds the write and never answers."""
    held = FakeService(gate=asyncio.Event())
    first = ApprovalEngine(store, held, policy, GROUPS, clock=clock, lease=lease)
    request = await first.submit(STAGING, "U0ALICE", "C0OPS")
    task: asyncio.Task[object] = asyncio.create_task(first.approve(request.id, "U012LEAD"))
    await held.started.wait()
    return request, held, task


async def _kinds(store: Store, request: Request) -> list[str]:
    return [event.kind for event in await store.events(request_id=request.id)]


async def test_the_heartbeat_keeps_a_live_executors_lease_and_writes_no_event_per_beat(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    request, held, task = await _stuck(store, policy, clock)
    claimed = await store.get(request.id)
    assert claimed is not None
    assert claimed.lease_expires_at == clock() + BEAT

    clock.advance(minutes=10)  # far past the lease it was claimed with …

    async def renewed() -> bool:
        current = await store.get(request.id)
        return current is not None and current.lease_expires_at == clock() + BEAT

    await _poll(renewed, "the heartbeat to renew the lease")
    other = FakeService()
    assert await ApprovalEngine(store, other, policy, GROUPS, clock=clock, lease=BEAT).recover() == []
    assert other.reconciled == []  # … but its heartbeat renewed it: nobody else touches it

    assert held.gate is not None
    held.gate.set()
    await asyncio.wait_for(task, CAP)
    done = await store.get(request.id)
    assert done is not None
    assert done.state is RequestState.SUCCEEDED
    assert len(held.executed) == 1
    assert await _kinds(store, request) == ["submitted", "approval", "approved", "executing", "executed"]


async def test_an_executor_whose_heartbeat_loses_its_claim_stops_and_settles_nothing(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    request, held, task = await _stuck(store, policy, clock)
    # Another process, whose clock is past the lease, finds it interrupted, not applied, and resumes it
    # under its own claim; the request is `executing` again, but no longer under the first claim.
    later = FakeClock(clock() + timedelta(hours=1))
    second = FakeService(reconcile_applied=False)
    [resumed] = await ApprovalEngine(store, second, policy, GROUPS, clock=later).recover()
    assert resumed.state is RequestState.SUCCEEDED

    await asyncio.wait_for(task, CAP)  # the first executor's next beat is refused: it stops waiting
    assert (len(held.executed), len(second.executed)) == (1, 1)
    assert await _kinds(store, request) == [
        "submitted",
        "approval",
        "approved",
        "executing",
        "interrupted",
        "resumed",
        "executed",
    ]
    final = await store.get(request.id)
    assert final is not None
    assert final.state is RequestState.SUCCEEDED


async def test_an_interrupted_change_that_was_not_applied_runs_once_with_its_approvals(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    request, _, task = await _stuck(store, policy, clock, lease=timedelta(minutes=5))  # beats every 100 s
    approvals = (await store.get(request.id) or request).approvals
    notifier = RecordingNotifier()
    fresh = FakeService(reconcile_applied=False)
    restarted = ApprovalEngine(store, fresh, policy, GROUPS, clock=clock, notifier=notifier)
    assert await restarted.recover() == []  # the lease still holds

    clock.advance(minutes=5, seconds=1)
    [recovered] = await restarted.recover()
    assert recovered.state is RequestState.SUCCEEDED
    assert recovered.approvals == approvals
    assert (len(fresh.reconciled), len(fresh.executed)) == (1, 1)
    [resumed] = [e for e in await restarted.audit(request.id) if e.kind == "resumed"]
    assert resumed.message == (
        f"{request.id}: the change was not applied before the crash; carrying it out now."
    )
    assert (resumed.from_state, resumed.to_state) == (RequestState.UNKNOWN, RequestState.EXECUTING)
    assert notifier.kinds()[-3:] == ["interrupted", "resumed", "executed"]

    assert await restarted.recover() == []
    assert len(fresh.executed) == 1
    task.cancel()


async def test_a_resumed_change_whose_plan_no_longer_holds_fails_and_offers_to_request_it_again(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    request, _, task = await _stuck(store, policy, clock)
    drift = "the plan is stale: pool staging-web's size changed from 20 to 14 since the request"
    fresh = FakeService(reconcile_applied=False, execute_error=StalePlan(drift))
    later = FakeClock(clock() + timedelta(hours=1))
    [recovered] = await ApprovalEngine(store, fresh, policy, GROUPS, clock=later).recover()

    assert recovered.state is RequestState.FAILED
    assert recovered.failure is not None
    assert recovered.failure.message == drift
    [failed] = [e for e in await store.events(request_id=request.id) if e.kind == "failed"]
    assert failed.detail is not None
    assert failed.detail[REQUEST_AGAIN] is True
    await asyncio.wait_for(task, CAP)


async def test_an_interrupted_change_is_resumed_once_and_a_second_interruption_fails_it(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    request, _, first = await _stuck(store, policy, clock)
    # resumed by a process that dies too, while DigitalOcean holds its write
    held_again = FakeService(reconcile_applied=False, gate=asyncio.Event())
    later = FakeClock(clock() + timedelta(hours=1))
    second = ApprovalEngine(store, held_again, policy, GROUPS, clock=later, lease=BEAT)
    resuming = asyncio.create_task(second.recover())
    await held_again.started.wait()

    third = FakeService(reconcile_applied=False)
    last = FakeClock(later() + timedelta(hours=1))
    [recovered] = await ApprovalEngine(store, third, policy, GROUPS, clock=last).recover()

    assert recovered.state is RequestState.FAILED
    assert third.executed == []  # never a third attempt
    [reconciled] = [e for e in await store.events(request_id=request.id) if e.kind == "reconciled"]
    assert reconciled.detail is not None
    assert reconciled.detail[REQUEST_AGAIN] is True
    assert (await _kinds(store, request)).count("resumed") == 1
    await asyncio.wait_for(asyncio.gather(first, resuming), CAP)


async def test_an_unclear_answer_that_did_not_happen_still_fails_without_a_second_attempt(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = OutcomeUnknownError("DigitalOcean did not answer the resize.")
    service.reconcile_applied = False
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    outcome = await engine.approve(request.id, "U012LEAD")
    assert outcome.request.state is RequestState.FAILED
    assert len(service.executed) == 1  # the executor is alive: the write may still land, so never resend
    [reconciled] = [e for e in await engine.audit(request.id) if e.kind == "reconciled"]
    assert reconciled.detail is not None
    assert REQUEST_AGAIN not in reconciled.detail
