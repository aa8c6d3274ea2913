from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.workflow import ApprovalEngine, Policy, StaticGroups
from tests.unit.store.backends import BACKENDS, open_store, postgres_database

from .fakes import FakeClock, FakeService, RecordingNotifier

__all__ = ["postgres_database"]

POLICY = """
approvers: [U012LEAD, S034DBLEADS]
notify_channels: [C056INCIDENTS]
channels: [C0OPS]
request_ttl_minutes: 60
allow_self_approval: false
protected_databases: [defaultdb]
actions:
  pool.create: {approvals: 1}
  pool.resize: {approvals: 1}
  pool.delete: {approvals: 1}
  db.create:   {approvals: 1}
  db.drop:     {approvals: 2, approvers: [S034DBLEADS]}
clusters:
  "prod-*": {approvals: 2}
"""

GROUPS = StaticGroups({"S034DBLEADS": {"U0LEADA", "U0LEADB", "U0LEADC"}})


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(request.param, request, tmp_path) as opened:
        yield opened


@pytest.fixture
def policy() -> Policy:
    return Policy.from_yaml(POLICY)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def engine(
    store: Store, service: FakeService, policy: Policy, clock: FakeClock, notifier: RecordingNotifier
) -> ApprovalEngine:
    return ApprovalEngine(store, service, policy, GROUPS, clock=clock, notifier=notifier)
