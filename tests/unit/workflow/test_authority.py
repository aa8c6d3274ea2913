"""The authority is the one answer to "may this person do this to this request now": its verdict (a reason
with the request, from which the sentence is made) is what the engine then does, and what a button asks."""

from __future__ import annotations

import pytest

from bot.ops.changes import PoolResize
from bot.store import Request, RequestState, Store
from bot.workflow import (
    Act,
    ApprovalEngine,
    ApprovalStatus,
    NotPending,
    Policy,
    Reason,
    ReviewNotOpen,
    WorkflowError,
)

from .conftest import GROUPS
from .fakes import FakeClock, FakeService
from .test_escalation import ESCALATING
from .test_incidents import INCIDENT_POLICY

STAGING = PoolResize(cluster="staging-pg", pool="staging-web", size=12)  # one approval


async def _act(engine: ApprovalEngine, act: Act, request: Request, user: str) -> str | None:
    """Does it through the engine; returns the sentence it was refused with, or None if it was done."""
    try:
        match act:
            case Act.APPROVE:
                outcome = await engine.approve(request.id, user)
                return None if outcome.counted else outcome.message
            case Act.REJECT:
                await engine.reject(request.id, user)
            case Act.CANCEL:
                await engine.cancel(request.id, user)
            case Act.STOP:
                await engine.stop(request.id, user)
            case Act.ACKNOWLEDGE:
                await engine.acknowledge_review(request.id, user)
    except WorkflowError as refused:
        return str(refused)
    return None


async def test_each_refusal_has_one_reason_and_the_engine_says_its_sentence(
    engine: ApprovalEngine,
) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    rid = request.id
    cases = [
        (
            Act.APPROVE,
            "U0ALICE",
            Reason.OWN_REQUEST,
            f"You asked for {rid}, so someone else has to approve it.",
        ),
        (Act.APPROVE, "U0BOB", Reason.NOT_APPROVER, "You are not an approver for pool.resize on staging-pg."),
        (
            Act.REJECT,
            "U0BOB",
            Reason.NOT_APPROVER,
            f"Only approvers of pool.resize on staging-pg can reject {rid}.",
        ),
        (Act.CANCEL, "U012LEAD", Reason.NOT_REQUESTER, f"Only U0ALICE, who asked for {rid}, can cancel it."),
        (
            Act.STOP,
            "U0BOB",
            Reason.NOT_EMERGENCY,
            f"{rid} is not an emergency change; an approver can reject it.",
        ),
    ]
    for act, user, reason, sentence in cases:
        verdict = await engine.verdict(act, user, request)
        assert (verdict.allowed, verdict.reason, verdict.sentence) == (False, reason, sentence)
        assert await _act(engine, act, request, user) == sentence
    assert (await engine.get(request.id)).state is RequestState.PENDING  # refusals change nothing
    assert (await engine.verdict(Act.REJECT, "U012LEAD", request)).allowed
    assert (await engine.verdict(Act.CANCEL, "U0ALICE", request)).allowed


async def test_an_expired_request_is_refused_as_expired_and_only_then_marked_expired(
    engine: ApprovalEngine, clock: FakeClock
) -> None:
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    clock.advance(minutes=61)
    verdict = await engine.verdict(Act.REJECT, "U012LEAD", request)
    assert verdict.reason is Reason.EXPIRED
    assert (await engine.get(request.id)).state is RequestState.PENDING  # asking changes nothing
    with pytest.raises(NotPending) as moved_on:
        await engine.reject(request.id, "U012LEAD")
    assert moved_on.value.request.state is RequestState.EXPIRED


async def test_after_escalation_an_escalation_approver_is_allowed_everything_an_approver_is(
    store: Store, service: FakeService, clock: FakeClock
) -> None:
    engine = ApprovalEngine(store, service, Policy.from_yaml(ESCALATING), GROUPS, clock=clock)
    request = await engine.submit(STAGING, "U0ALICE", "C0OPS")
    for act in (Act.APPROVE, Act.REJECT):
        assert (await engine.verdict(act, "U0MGR1", request)).reason is Reason.NOT_APPROVER
    clock.advance(minutes=30)
    await engine.fire_due()
    escalated = await engine.get(request.id)
    for act in (Act.APPROVE, Act.REJECT):
        assert (await engine.verdict(act, "U0MGR1", escalated)).allowed
    assert await engine.may_decide("U0MGR1", escalated)
    assert await _act(engine, Act.REJECT, escalated, "U0MGR1") is None
    assert (await engine.get(request.id)).rejected_by == "U0MGR1"


async def test_break_glass_verdicts_stop_by_anyone_approve_by_none_review_by_another_approver(
    store: Store, service: FakeService, clock: FakeClock
) -> None:
    engine = ApprovalEngine(store, service, Policy.from_yaml(INCIDENT_POLICY), GROUPS, clock=clock)
    request = await engine.submit(STAGING, "U0LEADA", "C0INC", emergency="db is down")
    approve = await engine.verdict(Act.APPROVE, "U012LEAD", request)
    assert approve.reason is Reason.NEEDS_NO_APPROVAL
    outcome = await engine.approve(request.id, "U012LEAD")
    assert (outcome.status, outcome.message) == (ApprovalStatus.NOT_ALLOWED, approve.sentence)
    assert (await engine.verdict(Act.STOP, "U0ANYONE", request)).allowed
    assert (await engine.verdict(Act.ACKNOWLEDGE, "U012LEAD", request)).reason is Reason.REVIEW_NOT_OPEN

    clock.advance(seconds=60)
    await engine.fire_due()
    ran = await engine.get(request.id)
    assert (await engine.verdict(Act.STOP, "U0ANYONE", ran)).reason is Reason.NOT_PENDING
    own = await engine.verdict(Act.ACKNOWLEDGE, "U0LEADA", ran)
    assert own.reason is Reason.OWN_REQUEST
    assert own.sentence == f"You made the emergency change {ran.id}, so another approver has to review it."
    assert await _act(engine, Act.ACKNOWLEDGE, ran, "U0LEADA") == own.sentence
    assert await _act(engine, Act.ACKNOWLEDGE, ran, "U0BOB") == (
        f"Only approvers of pool.resize on staging-pg can acknowledge the review of {ran.id}."
    )
    assert await _act(engine, Act.ACKNOWLEDGE, ran, "U012LEAD") is None
    with pytest.raises(ReviewNotOpen):  # acknowledged once only
        await engine.acknowledge_review(ran.id, "U0LEADB")
