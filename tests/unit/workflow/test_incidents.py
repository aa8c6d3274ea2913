"""Break-glass, reminders, escalation and reviews in the engine: every timer fires once, at its time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.ops.changes import DbDrop, PoolCreate, PoolResize
from bot.store import RequestState, ReviewState, Store
from bot.workflow import (
    ApprovalEngine,
    ApprovalStatus,
    ChannelInfo,
    EmergencyRefused,
    NotAllowed,
    NotIncidentChannel,
    NotPending,
    Policy,
    PolicyError,
    ReviewNotOpen,
    StaticChannels,
)

from .conftest import GROUPS, POLICY
from .fakes import FakeClock, FakeService, RecordingNotifier

INCIDENT_POLICY = (
    POLICY.replace("channels: [C0OPS]", "channels: [C0OPS, C0INC]")  # `channels` binds emergencies too
    + """
revert_window_minutes: 0  # these tests count the review timers alone
break_glass:
  channels: [C0INC, "inc-*"]
  on_call: [U0ONCALL, S034DBLEADS]
  countdown_seconds: 60
  daily_cap: 2
  review_reminder_minutes: 30
escalation:
  after_minutes: 40
  approvers: [U0MANAGER]
"""
)
RESIZE = PoolResize(cluster="staging-pg", pool="staging-web", size=12)


@pytest.fixture
def incident_engine(
    store: Store, service: FakeService, clock: FakeClock, notifier: RecordingNotifier
) -> ApprovalEngine:
    policy = Policy.from_yaml(INCIDENT_POLICY)
    return ApprovalEngine(store, service, policy, GROUPS, clock=clock, notifier=notifier)


async def test_an_emergency_runs_after_its_countdown_and_opens_a_review(
    incident_engine: ApprovalEngine, service: FakeService, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    request = await incident_engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="db is down")
    assert request.state is RequestState.PENDING
    assert request.emergency_reason == "db is down"
    assert request.runs_at == clock.now + timedelta(seconds=60)
    clock.advance(seconds=59)
    assert await incident_engine.fire_due() == []
    assert service.executed == []
    clock.advance(seconds=1)
    assert await incident_engine.fire_due() == [f"ran {request.id}", f"review of {request.id} opened"]
    done = await incident_engine.get(request.id)
    assert done.state is RequestState.SUCCEEDED
    assert done.review_state is ReviewState.OPEN
    assert len(service.executed) == 1
    assert await incident_engine.fire_due() == []  # nothing fires twice
    kinds = [e.kind for e in await incident_engine.audit(request.id)]
    assert kinds == ["emergency", "countdown_over", "executing", "executed", "review_opened"]
    assert "review_opened" in notifier.kinds()


async def test_a_stop_during_the_countdown_prevents_the_change(
    incident_engine: ApprovalEngine, service: FakeService, clock: FakeClock
) -> None:
    request = await incident_engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="db is down")
    stopped = await incident_engine.stop(request.id, "U0ANYONE")
    assert stopped.state is RequestState.CANCELLED
    assert stopped.cancelled_by == "U0ANYONE"
    clock.advance(minutes=5)
    assert await incident_engine.fire_due() == []
    assert service.executed == []
    with pytest.raises(NotPending):
        await incident_engine.stop(request.id, "U0ANYONE")


async def test_stop_refuses_an_ordinary_request(incident_engine: ApprovalEngine) -> None:
    request = await incident_engine.submit(RESIZE, "U0ALICE", "C0OPS")
    with pytest.raises(NotAllowed, match="is not an emergency change; an approver can reject it"):
        await incident_engine.stop(request.id, "U0ALICE")


async def test_break_glass_refusals_say_why(incident_engine: ApprovalEngine, store: Store) -> None:
    with pytest.raises(NotIncidentChannel) as outside:
        await incident_engine.submit(RESIZE, "U0ONCALL", "C0OPS", emergency="x")
    assert outside.value.channels == ["C0INC", "inc-*"]  # the Slack layer links the IDs
    with pytest.raises(EmergencyRefused, match="Only the on-call engineers"):
        await incident_engine.submit(RESIZE, "U0ALICE", "C0INC", emergency="x")
    with pytest.raises(EmergencyRefused, match=r"does not allow db.drop as an emergency change"):
        await incident_engine.submit(
            DbDrop(cluster="staging-pg", db="app"), "U0ONCALL", "C0INC", emergency="x"
        )
    refused = [e for e in await store.events() if e.kind == "refused"]
    assert len(refused) == 3
    assert refused[1].message.startswith("Emergency refused for U0ALICE: Only the on-call engineers")


async def test_incident_channel_by_name_pattern_and_on_call_group(
    store: Store, service: FakeService, clock: FakeClock
) -> None:
    anywhere = Policy.from_yaml(INCIDENT_POLICY.replace("channels: [C0OPS, C0INC]\n", ""))
    channels = StaticChannels({"C0SOMEWHERE": ChannelInfo("C0SOMEWHERE", "inc-db-latency", False)})
    engine = ApprovalEngine(store, service, anywhere, GROUPS, clock=clock, channels=channels)
    request = await engine.submit(RESIZE, "U0LEADA", "C0SOMEWHERE", emergency="incident 42")
    assert request.is_emergency


async def test_the_daily_cap_refuses_the_next_emergency(
    incident_engine: ApprovalEngine, clock: FakeClock
) -> None:
    for pool in ("one", "two"):
        change = PoolCreate(cluster="staging-pg", pool=pool, db="app", size=2, mode="transaction")
        await incident_engine.submit(change, "U0ONCALL", "C0INC", emergency="incident")
    third = PoolCreate(cluster="staging-pg", pool="three", db="app", size=2, mode="transaction")
    with pytest.raises(EmergencyRefused) as refused:
        await incident_engine.submit(third, "U0ONCALL", "C0INC", emergency="incident")
    assert str(refused.value) == (
        "You have made 2 emergency changes in the last 24 hours, the most the policy allows; "
        "ask for approval."
    )
    clock.advance(hours=24, seconds=1)
    assert (await incident_engine.submit(third, "U0ONCALL", "C0INC", emergency="incident")).is_emergency


async def test_simultaneous_emergencies_from_one_person_never_exceed_the_cap(
    incident_engine: ApprovalEngine, store: Store, clock: FakeClock
) -> None:
    """The cap is counted and the request inserted in one transaction: six at once, the cap (2) holds."""
    changes = [
        PoolCreate(cluster="staging-pg", pool=f"burst{n}", db="app", size=1, mode="transaction")
        for n in range(6)
    ]
    results = await asyncio.gather(
        *(incident_engine.submit(c, "U0ONCALL", "C0INC", emergency="incident") for c in changes),
        return_exceptions=True,
    )
    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, EmergencyRefused)]
    assert len(accepted) == 2
    assert len(refused) == 4
    assert await store.count_emergencies("U0ONCALL", clock.now - timedelta(hours=1)) == 2


async def test_an_emergency_needs_no_approval(incident_engine: ApprovalEngine) -> None:
    request = await incident_engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="down")
    outcome = await incident_engine.approve(request.id, "U012LEAD")
    assert outcome.status is ApprovalStatus.NOT_ALLOWED
    assert "is an emergency change" in outcome.message


async def test_the_review_is_acknowledged_by_an_approver_and_reminded_until_then(
    incident_engine: ApprovalEngine, clock: FakeClock
) -> None:
    request = await incident_engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="down")
    clock.advance(seconds=60)
    await incident_engine.fire_due()
    clock.advance(minutes=29)
    assert await incident_engine.fire_due() == []
    clock.advance(minutes=1)
    assert await incident_engine.fire_due() == [f"review of {request.id} reminded"]
    clock.advance(minutes=30)
    assert await incident_engine.fire_due() == [f"review of {request.id} reminded"]
    with pytest.raises(NotAllowed, match="so another approver has to review it"):
        await incident_engine.acknowledge_review(request.id, "U0ONCALL")
    with pytest.raises(NotAllowed, match=r"Only approvers of pool\.resize on staging-pg"):
        await incident_engine.acknowledge_review(request.id, "U0MALLORY")
    reviewed = await incident_engine.acknowledge_review(request.id, "U012LEAD")
    assert reviewed.review_state is ReviewState.ACKNOWLEDGED
    assert reviewed.reviewed_by == "U012LEAD"
    with pytest.raises(ReviewNotOpen, match="already acknowledged by U012LEAD"):
        await incident_engine.acknowledge_review(request.id, "U0LEADA")
    clock.advance(hours=5)
    assert await incident_engine.fire_due() == []


async def test_reminder_at_half_life_then_escalation_lets_the_second_group_approve(
    incident_engine: ApprovalEngine, clock: FakeClock, service: FakeService
) -> None:
    request = await incident_engine.submit(RESIZE, "U0ALICE", "C0OPS")  # ttl 60 min
    assert (await incident_engine.approve(request.id, "U0MANAGER")).status is ApprovalStatus.NOT_ALLOWED
    clock.advance(minutes=29, seconds=59)
    assert await incident_engine.fire_due() == []
    clock.advance(seconds=1)
    assert await incident_engine.fire_due() == [f"reminded {request.id}"]
    reminded = [e for e in await incident_engine.audit(request.id) if e.kind == "reminded"]
    assert reminded[0].detail == {"notify": ["U012LEAD", "S034DBLEADS"]}
    clock.advance(minutes=10)
    assert await incident_engine.fire_due() == [f"escalated {request.id}"]
    assert await incident_engine.fire_due() == []
    outcome = await incident_engine.approve(request.id, "U0MANAGER")
    assert outcome.status is ApprovalStatus.APPROVED
    assert len(service.executed) == 1


async def test_expiry_is_fired_by_the_sweep(incident_engine: ApprovalEngine, clock: FakeClock) -> None:
    request = await incident_engine.submit(RESIZE, "U0ALICE", "C0OPS")
    clock.advance(minutes=60)
    fired = await incident_engine.fire_due()
    assert f"expired {request.id}" in fired
    assert (await incident_engine.get(request.id)).state is RequestState.EXPIRED


async def test_two_replicas_fire_each_timer_once(
    store: Store, service: FakeService, clock: FakeClock
) -> None:
    policy = Policy.from_yaml(INCIDENT_POLICY)
    replicas = [ApprovalEngine(store, service, policy, GROUPS, clock=clock) for _ in range(3)]
    request = await replicas[0].submit(RESIZE, "U0ONCALL", "C0INC", emergency="down")
    clock.advance(seconds=60)
    results = await asyncio.gather(*(r.fire_due() for r in replicas))
    assert sum(f"ran {request.id}" in fired for fired in results) == 1
    assert len(service.executed) == 1
    kinds = [e.kind for e in await store.events(request_id=request.id)]
    assert kinds.count("review_opened") == 1


def test_existing_policies_stay_valid_and_break_glass_keys_are_checked() -> None:
    policy = Policy.from_yaml(POLICY)
    assert policy.break_glass is None
    assert policy.escalation is None
    assert policy.reminders.enabled
    assert policy.reminders.at_fraction == 0.5
    with pytest.raises(PolicyError, match=r"`break_glass.channels.0` 'Inc Channel' is neither"):
        Policy.from_yaml(POLICY + "break_glass: {channels: ['Inc Channel'], on_call: [U0X]}\n")
    with pytest.raises(PolicyError, match=r"`break_glass\.on_call` is missing"):
        Policy.from_yaml(POLICY + "break_glass: {channels: [C0INC]}\n")
