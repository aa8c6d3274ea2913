"""Every text is bounded at intake (issue 13, item 8): one clear sentence, nothing planned or stored but the
refusal, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.ops.changes import PoolCreate, PoolResize
from bot.store import RequestState, Store
from bot.workflow import ApprovalEngine, InputTooLong, Policy, RequestRefused

from .conftest import GROUPS
from .fakes import FakeClock, FakeService
from .test_incidents import INCIDENT_POLICY


@pytest.fixture
def incidents(store: Store, service: FakeService, clock: FakeClock) -> ApprovalEngine:
    return ApprovalEngine(store, service, Policy.from_yaml(INCIDENT_POLICY), GROUPS, clock=clock)


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (PoolResize(cluster="c" * 10_000, pool="web", size=3), "The cluster name is 10,000 characters long"),
        (
            PoolCreate(
                cluster="staging-pg", pool="api", db="app", size=2, mode="transaction", user="u" * 256
            ),
            "The user name is 256 characters long",
        ),
    ],
)
async def test_an_over_long_name_is_refused_and_the_refusal_is_audited(
    engine: ApprovalEngine, store: Store, service: FakeService, change: PoolResize, sentence: str
) -> None:
    with pytest.raises(InputTooLong) as refused:
        await engine.submit(change, "U0ALICE", "C0OPS")
    assert str(refused.value).startswith(sentence + "; at most 255 are accepted.")
    assert service.planned == []
    [event] = await store.events()
    assert (event.kind, event.actor, event.cluster_name) == ("refused", "U0ALICE", None)


async def test_an_over_long_new_pool_name_gets_the_pool_name_rule_and_is_audited_without_it(
    engine: ApprovalEngine, store: Store, service: FakeService
) -> None:
    """A new pool's name has one rule (3 to 60 characters) and one sentence, however long it is."""
    with pytest.raises(RequestRefused) as refused:
        await engine.submit(
            PoolCreate(cluster="staging-pg", pool="p" * 10_000, db="app", size=2, mode="transaction"),
            "U0ALICE",
            "C0OPS",
        )
    assert str(refused.value) == (
        f'pool name "{"p" * 64}…" is 10,000 characters long; DigitalOcean requires 3 to 60'
    )
    assert refused.value.field == "pool"
    assert service.planned == []
    [event] = await store.events()
    assert (event.kind, event.cluster_name, event.detail) == ("refused", None, {"field": "pool"})
    assert "p" * 65 not in event.message


async def test_an_over_long_emergency_reason_is_refused(incidents: ApprovalEngine, store: Store) -> None:
    change = PoolResize(cluster="staging-pg", pool="staging-web", size=12)
    with pytest.raises(InputTooLong, match="The emergency reason is 501 characters long; at most 500"):
        await incidents.submit(change, "U0ONCALL", "C0INC", emergency="x" * 501)
    assert await incidents.list_active() == []
    assert (await incidents.submit(change, "U0ONCALL", "C0INC", emergency="x" * 500)).is_emergency


async def test_an_over_long_rejection_reason_is_refused_and_the_request_stays_pending(
    engine: ApprovalEngine,
) -> None:
    request = await engine.submit(PoolResize(cluster="staging-pg", pool="web", size=3), "U0ALICE", "C0OPS")
    with pytest.raises(InputTooLong, match="The rejection reason is 501 characters long"):
        await engine.reject(request.id, "U012LEAD", "n" * 501)
    assert (await engine.get(request.id)).state is RequestState.PENDING


async def test_an_over_long_slack_id_is_refused_before_anything_is_stored(
    engine: ApprovalEngine, store: Store
) -> None:
    with pytest.raises(InputTooLong, match="The Slack ID is 40 characters long"):
        await engine.submit(PoolResize(cluster="staging-pg", pool="web", size=3), "U" * 40, "C0OPS")
    assert await store.events() == []
