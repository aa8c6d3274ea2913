"""Execution, its failures, unknown outcomes, reconciliation and recovery — never running anything twice."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.ops.changes import PoolResize
from bot.ops.errors import OutcomeUnknownError, StalePlan, UpstreamFailure
from bot.store import Request, RequestState, Store
from bot.workflow import ApprovalEngine, ApprovalStatus, Policy

from .conftest import GROUPS
from .fakes import FakeClock, FakeService, RecordingNotifier

STAGING = PoolResize(cluster="staging-pg", pool="staging-web", size=12)  # one approval


async def approved_and_run(engine: ApprovalEngine) -> Request:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    outcome = await engine.approve(request.id, "U012LEAD")
    assert outcome.status is ApprovalStatus.APPROVED
    return outcome.request


async def test_a_stale_plan_fails_the_request_with_its_sentence(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = StalePlan(
        "Pool staging-web changed since the plan was made; nothing was changed."
    )
    request = await approved_and_run(engine)
    assert request.state is RequestState.FAILED
    assert request.failure is not None
    assert request.failure.message == "Pool staging-web changed since the plan was made; nothing was changed."
    assert request.finished_at is not None
    assert service.reconciled == []


async def test_an_upstream_failure_keeps_digitaloceans_status_and_request_id(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = UpstreamFailure(
        "DigitalOcean refused the change: the pool size is too large.", status=422, request_id="4d9d8375-3c56"
    )
    request = await approved_and_run(engine)
    assert request.state is RequestState.FAILED
    assert request.failure is not None
    assert (request.failure.status, request.failure.request_id) == (422, "4d9d8375-3c56")
    [event] = [e for e in await engine.audit(request.id) if e.kind == "failed"]
    assert (
        event.message == f"{request.id} failed: DigitalOcean refused the change: the pool size is too large."
    )
    assert event.detail == {"outcome": None, "status": 422, "do_request_id": "4d9d8375-3c56"}
    assert (await engine.get(request.id)).failure == request.failure


async def test_an_unknown_outcome_is_reconciled_not_repeated(
    engine: ApprovalEngine, service: FakeService, notifier: RecordingNotifier
) -> None:
    service.execute_error = OutcomeUnknownError("DigitalOcean did not answer the resize.")
    request = await approved_and_run(engine)
    assert request.state is RequestState.SUCCEEDED
    assert len(service.executed) == 1
    assert len(service.reconciled) == 1
    assert notifier.kinds()[-3:] == ["executing", "unknown", "reconciled"]
    states = [(e.from_state, e.to_state) for e in await engine.audit(request.id) if e.to_state]
    assert states[-3:] == [
        (RequestState.APPROVED, RequestState.EXECUTING),
        (RequestState.EXECUTING, RequestState.UNKNOWN),
        (RequestState.UNKNOWN, RequestState.SUCCEEDED),
    ]


async def test_an_unknown_outcome_that_did_not_happen_fails(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = OutcomeUnknownError("DigitalOcean did not answer the resize.")
    service.reconcile_applied = False
    request = await approved_and_run(engine)
    assert request.state is RequestState.FAILED
    assert request.failure is not None
    assert request.failure.message == "DigitalOcean still shows staging-web as before."


async def test_a_reconcile_that_cannot_read_stays_unknown_until_recover(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = OutcomeUnknownError("no answer")
    service.reconcile_error = UpstreamFailure("DigitalOcean is unavailable (503).", status=503)
    request = await approved_and_run(engine)
    assert request.state is RequestState.UNKNOWN
    assert (await engine.audit(request.id))[-1].message == (
        f"Could not check {request.id} on DigitalOcean yet; will try again."
    )

    service.reconcile_error = None
    [recovered] = await engine.recover()
    assert recovered.state is RequestState.SUCCEEDED
    assert len(service.executed) == 1
    assert len(service.reconciled) == 2


async def test_an_unexpected_error_during_execution_is_treated_as_unknown(
    engine: ApprovalEngine, service: FakeService
) -> None:
    service.execute_error = KeyError("bug")
    request = await approved_and_run(engine)
    assert request.state is RequestState.SUCCEEDED
    assert len(service.reconciled) == 1


async def test_an_execution_that_outlives_its_timeout_becomes_unknown(
    store: Store, service: FakeService, policy: Policy, clock: FakeClock
) -> None:
    service.gate = asyncio.Event()  # never set: the service layer hangs
    engine = ApprovalEngine(store, service, policy, GROUPS, clock=clock, execution_timeout=timedelta(0))
    request = await approved_and_run(engine)
    assert request.state is RequestState.SUCCEEDED
    assert [e.message for e in await engine.audit(request.id) if e.kind == "unknown"] == [
        "DigitalOcean gave no answer within 0s. Checking DigitalOcean."
    ]


async def test_execute_runs_only_approved_requests_and_only_once(
    engine: ApprovalEngine, service: FakeService
) -> None:
    pending = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    assert (await engine.execute(pending.id)).state is RequestState.PENDING
    assert service.executed == []

    await engine.cancel(pending.id, "U0ALICE")
    done = await approved_and_run(engine)
    again = await engine.execute(done.id)
    assert again.state is RequestState.SUCCEEDED
    assert len(service.executed) == 1


async def test_recover_leaves_a_live_claim_alone_and_reconciles_one_past_its_lease(
    store: Store, policy: Policy, clock: FakeClock
) -> None:
    stuck = FakeService(gate=asyncio.Event())
    # a 5 min lease: its heartbeat (every 100 s) never beats during the test, so it cannot renew it
    first = ApprovalEngine(store, stuck, policy, GROUPS, clock=clock, lease=timedelta(minutes=5))
    request = await first.submit(STAGING, "U0ALICE", "C0OPS")
    task = asyncio.create_task(first.approve(request.id, "U012LEAD"))
    await stuck.started.wait()
    assert (await first.get(request.id)).state is RequestState.EXECUTING

    fresh = FakeService()
    second = ApprovalEngine(store, fresh, policy, GROUPS, clock=clock)
    assert await second.recover() == []
    assert fresh.reconciled == []

    clock.advance(minutes=6, seconds=1)  # past the lease
    [recovered] = await second.recover()
    assert recovered.state is RequestState.SUCCEEDED
    assert (fresh.executed, len(fresh.reconciled)) == ([], 1)
    [interrupted] = [e for e in await second.audit(request.id) if e.kind == "interrupted"]
    assert interrupted.message == (
        f"{request.id} was interrupted while being carried out; "
        "checking DigitalOcean instead of repeating it."
    )

    stuck.gate.set()  # the first executor's late answer changes nothing
    outcome = await task
    assert outcome.request.state is RequestState.SUCCEEDED
    assert [e.kind for e in await second.audit(request.id)][-1] == "late_result"


async def test_recover_runs_an_approved_request_nobody_claimed(
    store: Store, service: FakeService, policy: Policy, clock: FakeClock
) -> None:
    engine = ApprovalEngine(store, service, policy, GROUPS, clock=clock)
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    await store.add_approval(request.id, "U012LEAD", clock())  # as if the process died right after
    assert (await engine.get(request.id)).state is RequestState.APPROVED

    [done] = await engine.recover()
    assert done.state is RequestState.SUCCEEDED
    assert len(service.executed) == 1
    assert await engine.recover() == []


async def test_the_audit_log_exports_as_json_lines_filtered_by_cluster_and_time(
    engine: ApprovalEngine, clock: FakeClock
) -> None:
    staging = await approved_and_run(engine)
    clock.advance(hours=1)
    prod = await engine.submit(PoolResize(cluster="prod-pg", pool="web", size=30), "U0ALICE", "C0OPS")

    lines = [line async for line in engine.export_jsonl()]
    assert all(line.endswith("\n") for line in lines)
    records = [json.loads(line) for line in lines]
    assert [r["kind"] for r in records] == [
        "submitted",
        "approval",
        "approved",
        "executing",
        "executed",
        "submitted",
    ]
    assert records[0]["request_id"] == staging.id
    assert records[0]["at"] == "2026-11-26T09:00:00Z"

    only_prod = [json.loads(line) async for line in engine.export_jsonl(cluster="prod-pg")]
    assert [r["request_id"] for r in only_prod] == [prod.id]
    by_id = [json.loads(line) async for line in engine.export_jsonl(cluster=prod.cluster_id)]
    assert by_id == only_prod
    first_hour = [
        json.loads(line) async for line in engine.export_jsonl(until=clock() - timedelta(minutes=1))
    ]
    assert {r["request_id"] for r in first_hour} == {staging.id}
    later = [json.loads(line) async for line in engine.export_jsonl(since=clock())]
    assert [r["request_id"] for r in later] == [prod.id]
    assert [e.request_id for e in await engine.cluster_audit("staging-pg")] == [staging.id] * 5
