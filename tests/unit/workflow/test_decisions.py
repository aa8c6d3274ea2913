"""Approve, reject, cancel, expire: every transition out of `pending`, and every refusal with its words."""

from __future__ import annotations

import pytest

from bot.ops.changes import Action, DbDrop, PoolResize
from bot.ops.plan import PoolSnapshot
from bot.store import RequestState, Store
from bot.workflow import ApprovalEngine, ApprovalStatus, NotAllowed, NotPending, Policy, RequestNotFound

from .conftest import GROUPS, POLICY
from .fakes import FakeClock, FakeService, RecordingNotifier

PROD = PoolResize(cluster="prod-pg", pool="web", size=30)  # needs 2 approvals
STAGING = PoolResize(cluster="staging-pg", pool="staging-web", size=12)  # needs 1


async def test_the_requester_cannot_approve_their_own_request(engine: ApprovalEngine) -> None:
    request = await engine.submit(STAGING, "U012LEAD", "C0OPS")
    outcome = await engine.approve(request.id, "U012LEAD")
    assert outcome.status is ApprovalStatus.NOT_ALLOWED
    assert outcome.message == f"You asked for {request.id}, so someone else has to approve it."
    assert outcome.request.approvals == ()


async def test_self_approval_counts_when_the_policy_allows_it(
    store: Store, service: FakeService, clock: FakeClock
) -> None:
    policy = Policy.from_yaml(POLICY.replace("allow_self_approval: false", "allow_self_approval: true"))
    engine = ApprovalEngine(store, service, policy, GROUPS, clock=clock)
    request = await engine.submit(STAGING, "U012LEAD", "C0OPS")
    outcome = await engine.approve(request.id, "U012LEAD")
    assert outcome.status is ApprovalStatus.APPROVED
    assert outcome.request.state is RequestState.SUCCEEDED


async def test_someone_who_is_not_an_approver_is_told_so(engine: ApprovalEngine) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    outcome = await engine.approve(request.id, "U0MALLORY")
    assert outcome.status is ApprovalStatus.NOT_ALLOWED
    assert outcome.message == "You are not an approver for pool.resize on staging-pg."
    assert (await engine.get(request.id)).approvals == ()


async def test_only_the_actions_own_approvers_approve_a_drop(engine: ApprovalEngine) -> None:
    request = await engine.submit(DbDrop(cluster="staging-pg", db="app"), "U0ALICE", "C0OPS")
    refused = await engine.approve(request.id, "U012LEAD")
    assert refused.message == "You are not an approver for db.drop on staging-pg."
    counted = await engine.approve(request.id, "U0LEADA")
    assert counted.status is ApprovalStatus.COUNTED


async def test_approvals_count_once_per_person_and_the_last_one_runs_the_change(
    engine: ApprovalEngine, service: FakeService, notifier: RecordingNotifier
) -> None:
    request = await engine.submit(PROD, "U0ALICE", "C0OPS")

    first = await engine.approve(request.id, "U012LEAD")
    assert first.status is ApprovalStatus.COUNTED
    assert first.message == f"Your approval of {request.id} is counted; it needs 1 more approval(s)."
    assert first.request.approvers == ["U012LEAD"]

    again = await engine.approve(request.id, "U012LEAD")
    assert again.status is ApprovalStatus.ALREADY_APPROVED
    assert again.message == f"You have already approved {request.id}; it needs 1 more approval(s)."
    assert service.executed == []

    last = await engine.approve(request.id, "U0LEADA")  # a member of S034DBLEADS
    assert last.status is ApprovalStatus.APPROVED
    assert last.request.state is RequestState.SUCCEEDED
    assert (
        last.message == f"{request.id} is done (resize pool web on prod-pg): resize pool web on prod-pg done."
    )
    assert last.request.approvers == ["U012LEAD", "U0LEADA"]
    assert last.request.result is not None
    assert last.request.result.observed == PoolSnapshot(size=30, mode="transaction", db="app", user="app")
    assert [plan.change for plan in service.executed] == [PROD]
    assert notifier.kinds() == ["submitted", "approval", "approval", "approved", "executing", "executed"]
    assert [s for _, s, _ in notifier.seen][-1] is RequestState.SUCCEEDED

    late = await engine.approve(request.id, "U0LEADB")
    assert late.status is ApprovalStatus.NOT_PENDING
    assert late.message == f"{request.id} has already been carried out."
    assert len(service.executed) == 1


async def test_an_approver_rejects_with_a_reason_and_it_can_no_longer_be_approved(
    engine: ApprovalEngine, service: FakeService
) -> None:
    request = await engine.submit(PROD, "U0ALICE", "C0OPS")
    await engine.approve(request.id, "U012LEAD")
    rejected = await engine.reject(request.id, "U0LEADB", "  not during the sale  ")
    assert rejected.state is RequestState.REJECTED
    assert (rejected.rejected_by, rejected.rejection_reason) == ("U0LEADB", "not during the sale")

    outcome = await engine.approve(request.id, "U0LEADA")
    assert outcome.status is ApprovalStatus.NOT_PENDING
    assert outcome.message == f"{request.id} was rejected by U0LEADB."
    assert service.executed == []
    events = await engine.audit(request.id)
    assert events[-1].message == f"U0LEADB rejected {request.id}: not during the sale"
    assert (events[-1].from_state, events[-1].to_state) == (RequestState.PENDING, RequestState.REJECTED)


async def test_only_an_approver_may_reject(engine: ApprovalEngine) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    with pytest.raises(NotAllowed) as caught:
        await engine.reject(request.id, "U0ALICE")
    assert str(caught.value) == f"Only approvers of pool.resize on staging-pg can reject {request.id}."
    assert (await engine.get(request.id)).state is RequestState.PENDING


async def test_the_requester_cancels_while_pending_and_no_one_else_can(engine: ApprovalEngine) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    with pytest.raises(NotAllowed) as caught:
        await engine.cancel(request.id, "U012LEAD")
    assert str(caught.value) == f"Only U0ALICE, who asked for {request.id}, can cancel it."

    cancelled = await engine.cancel(request.id, "U0ALICE")
    assert (cancelled.state, cancelled.cancelled_by) == (RequestState.CANCELLED, "U0ALICE")

    with pytest.raises(NotPending) as again:
        await engine.cancel(request.id, "U0ALICE")
    assert str(again.value) == f"{request.id} was cancelled by U0ALICE."
    with pytest.raises(NotPending):
        await engine.reject(request.id, "U012LEAD")


async def test_an_expired_request_can_no_longer_be_approved(
    engine: ApprovalEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    request = await engine.submit(PROD, "U0ALICE", "C0OPS")
    await engine.approve(request.id, "U012LEAD")
    clock.advance(minutes=60)

    outcome = await engine.approve(request.id, "U0LEADA")
    assert outcome.status is ApprovalStatus.NOT_PENDING
    assert outcome.request.state is RequestState.EXPIRED
    assert (
        outcome.message == f"{request.id} expired at 2026-11-26 10:00 UTC; ask again if it is still needed."
    )
    assert notifier.kinds()[-1] == "expired"
    [event] = [e for e in await engine.audit(request.id) if e.kind == "expired"]
    assert event.message == f"{request.id} expired without enough approvals (1 of 2)."
    with pytest.raises(NotPending):
        await engine.cancel(request.id, "U0ALICE")


async def test_rejecting_or_cancelling_after_expiry_says_it_expired(
    engine: ApprovalEngine, clock: FakeClock
) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    clock.advance(minutes=61)
    with pytest.raises(NotPending) as caught:
        await engine.cancel(request.id, "U0ALICE")
    assert caught.value.request.state is RequestState.EXPIRED


async def test_the_sweep_expires_overdue_requests_and_leaves_the_rest(
    engine: ApprovalEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    old = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    clock.advance(minutes=30)
    young = await engine.submit(PROD, "U0ALICE", "C0OPS")
    clock.advance(minutes=30)

    expired = await engine.sweep_expired()
    assert [r.id for r in expired] == [old.id]
    assert (await engine.get(old.id)).state is RequestState.EXPIRED
    assert (await engine.get(young.id)).state is RequestState.PENDING
    assert notifier.seen[-1] == (old.id, RequestState.EXPIRED, "expired")
    assert await engine.sweep_expired() == []
    # the resource is free again
    assert (await engine.submit(STAGING, "U0BOB", "C0OPS")).state is RequestState.PENDING


async def test_unknown_requests_are_reported(engine: ApprovalEngine) -> None:
    with pytest.raises(RequestNotFound) as caught:
        await engine.approve("R-ZZZZZZ", "U012LEAD")
    assert str(caught.value) == "There is no request R-ZZZZZZ."
    with pytest.raises(RequestNotFound):
        await engine.reject("R-ZZZZZZ", "U012LEAD")
    with pytest.raises(RequestNotFound):
        await engine.cancel("R-ZZZZZZ", "U012LEAD")


async def test_a_failing_notifier_does_not_undo_or_block_anything(
    engine: ApprovalEngine, notifier: RecordingNotifier, service: FakeService
) -> None:
    notifier.fail = True
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    outcome = await engine.approve(request.id, "U012LEAD")
    assert outcome.request.state is RequestState.SUCCEEDED
    assert len(service.executed) == 1
    assert notifier.kinds() == ["submitted", "approval", "approved", "executing", "executed"]


async def test_is_approver_expands_groups(engine: ApprovalEngine) -> None:
    assert await engine.is_approver("U0LEADC", Action.DB_DROP, "prod-pg")
    assert not await engine.is_approver("U012LEAD", Action.DB_DROP, "prod-pg")
