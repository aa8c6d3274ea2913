"""An emergency supersedes only an ordinary pending request on its resource (issue 13, item 6)."""

from __future__ import annotations

import asyncio

import pytest

from bot.ops.changes import PoolResize
from bot.store import RequestState, Store
from bot.workflow import ApprovalEngine, ApprovalStatus, DuplicateRequest, Policy

from .conftest import GROUPS
from .fakes import FakeClock, FakeService, RecordingNotifier
from .test_incidents import INCIDENT_POLICY, RESIZE

STORM = PoolResize(cluster="staging-pg", pool="staging-web", size=30)


@pytest.fixture
def incident_engine(
    store: Store, service: FakeService, clock: FakeClock, notifier: RecordingNotifier
) -> ApprovalEngine:
    return ApprovalEngine(
        store, service, Policy.from_yaml(INCIDENT_POLICY), GROUPS, clock=clock, notifier=notifier
    )


async def test_an_emergency_cancels_an_ordinary_pending_request_on_its_resource(
    incident_engine: ApprovalEngine, notifier: RecordingNotifier
) -> None:
    pending = await incident_engine.submit(RESIZE, "U0ALICE", "C0OPS")
    emergency = await incident_engine.submit(STORM, "U0ONCALL", "C0INC", emergency="storm")
    assert emergency.is_emergency
    cancelled = await incident_engine.get(pending.id)
    assert (cancelled.state, cancelled.cancelled_by) == (RequestState.CANCELLED, "U0ONCALL")
    assert (pending.id, RequestState.CANCELLED, "superseded") in notifier.seen  # its thread is told
    [event] = [e for e in await incident_engine.audit(pending.id) if e.kind == "superseded"]
    assert event.detail == {"by": emergency.id, "reason": "storm"}
    outcome = await incident_engine.approve(pending.id, "U012LEAD")
    assert outcome.status is ApprovalStatus.NOT_PENDING


async def test_a_live_emergency_or_an_approved_request_is_not_superseded(
    incident_engine: ApprovalEngine, service: FakeService
) -> None:
    first = await incident_engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="storm")
    with pytest.raises(DuplicateRequest):
        await incident_engine.submit(STORM, "U0LEADA", "C0INC", emergency="another storm")
    assert (await incident_engine.get(first.id)).state is RequestState.PENDING
    other = PoolResize(cluster="staging-pg", pool="other", size=30)
    ordinary = await incident_engine.submit(other, "U0ALICE", "C0OPS")
    service.gate = asyncio.Event()  # the approved change is still running on DigitalOcean
    running = asyncio.create_task(incident_engine.approve(ordinary.id, "U012LEAD"))
    await service.started.wait()
    with pytest.raises(DuplicateRequest):
        await incident_engine.submit(other, "U0ONCALL", "C0INC", emergency="storm")
    service.gate.set()
    assert (await running).request.state is RequestState.SUCCEEDED
