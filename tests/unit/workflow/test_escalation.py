"""Escalation widens who decides only within the rules that still apply (issue 13, item 5): escalation
approvers join the top-level `approvers`; an action's own list and matching cluster rules still apply."""

from __future__ import annotations

import pytest

from bot.ops.changes import DbDrop, PoolResize
from bot.store import Store
from bot.workflow import ApprovalEngine, ApprovalStatus, NotAllowed, Policy

from .conftest import GROUPS, POLICY
from .fakes import FakeClock, FakeService, RecordingNotifier

ESCALATING = POLICY.replace(
    '"prod-*": {approvals: 2}', '"prod-*": {approvals: 2, approvers: [U012LEAD, U0LEADA, U0MGRPROD]}'
) + ("escalation: {after_minutes: 30, approvers: [U0MGR1, U0MGR2, U0MGRPROD]}\n")


@pytest.fixture
def escalating(
    store: Store, service: FakeService, clock: FakeClock, notifier: RecordingNotifier
) -> ApprovalEngine:
    return ApprovalEngine(
        store, service, Policy.from_yaml(ESCALATING), GROUPS, clock=clock, notifier=notifier
    )


async def _escalate(engine: ApprovalEngine, clock: FakeClock) -> None:
    clock.advance(minutes=30)
    assert any(line.startswith("escalated") for line in await engine.fire_due())


async def test_managers_outside_the_cluster_rule_cannot_complete_a_prod_change(
    escalating: ApprovalEngine, clock: FakeClock, service: FakeService
) -> None:
    request = await escalating.submit(PoolResize(cluster="prod-pg", pool="web", size=30), "U0ALICE", "C0OPS")
    await _escalate(escalating, clock)
    for manager in ("U0MGR1", "U0MGR2"):
        outcome = await escalating.approve(request.id, manager)
        assert outcome.status is ApprovalStatus.NOT_ALLOWED
        with pytest.raises(NotAllowed):
            await escalating.reject(request.id, manager)
    assert service.executed == []
    assert (await escalating.approve(request.id, "U0MGRPROD")).status is ApprovalStatus.COUNTED


async def test_escalation_adds_nobody_to_an_action_with_its_own_approvers(
    escalating: ApprovalEngine, clock: FakeClock
) -> None:
    request = await escalating.submit(DbDrop(cluster="staging-pg", db="old"), "U0ALICE", "C0OPS")
    await _escalate(escalating, clock)
    current = await escalating.get(request.id)
    assert not await escalating.may_decide("U0MGR1", current)
    assert await escalating.may_decide("U0LEADA", current)  # in db.drop's own group
    [escalated] = [e for e in await escalating.audit(request.id) if e.kind == "escalated"]
    assert escalated.detail == {"notify": ["S034DBLEADS"], "widened": False, "also": []}


async def test_before_and_after_escalation_approve_and_reject_agree(
    escalating: ApprovalEngine, clock: FakeClock
) -> None:
    request = await escalating.submit(
        PoolResize(cluster="staging-pg", pool="staging-web", size=12), "U0ALICE", "C0OPS"
    )
    assert not await escalating.may_decide("U0MGR1", request)
    await _escalate(escalating, clock)
    assert await escalating.may_decide("U0MGR1", await escalating.get(request.id))
    rejected = await escalating.reject(request.id, "U0MGR1", "not today")
    assert rejected.rejected_by == "U0MGR1"
