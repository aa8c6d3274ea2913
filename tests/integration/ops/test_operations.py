"""Every operation over HTTP: plan, execute, verify, with the exact DigitalOcean calls each one makes.

The counts are the ones `docs/OPERATIONS.md` documents. "Cold" is the cluster list not cached (the first
request, or more than 30 s after the last read or any write); "warm" is within the 30 s.
"""

from __future__ import annotations

import httpx
import pytest

from bot.ops import (
    Change,
    DatabaseOps,
    DbCreate,
    DbDrop,
    Outcome,
    PoolCreate,
    PoolDelete,
    PoolResize,
    StalePlan,
)
from bot.sandbox import PROD_PG, SANDBOX_TOKEN, SandboxState
from tests.support.clocks import FakeClock

from .conftest import TTL, operations

CASES = [
    pytest.param(
        PoolCreate(cluster="prod-pg", pool="batch", db="orders", size=15, mode="statement", user="reporting"),
        ["list_clusters", "list_pools", "list_users"],
        "add_pool",
        "list_pools",
        id="pool.create",
    ),
    pytest.param(
        PoolCreate(cluster="prod-pg", pool="batch", db="orders", size=15, mode="statement"),
        ["list_clusters", "list_pools"],
        "add_pool",
        "list_pools",
        id="pool.create-without-user",
    ),
    pytest.param(
        PoolResize(cluster="prod-pg", pool="web", size=25, mode="session"),
        ["list_clusters", "list_pools"],
        "update_pool",
        "list_pools",
        id="pool.resize",
    ),
    pytest.param(
        PoolDelete(cluster="prod-pg", pool="reports"),
        ["list_clusters", "list_pools"],
        "delete_pool",
        "list_pools",
        id="pool.delete",
    ),
    pytest.param(
        DbCreate(cluster="prod-pg", db="billing"),
        ["list_clusters"],
        "add_database",
        "list_databases",
        id="db.create",
    ),
    pytest.param(
        DbDrop(cluster="analytics-pg", db="events"),
        ["list_clusters", "list_pools", "list_backups"],
        "delete_database",
        "list_databases",
        id="db.drop",
    ),
    pytest.param(
        DbDrop(cluster="orders-mysql", db="orders"),
        ["list_clusters", "list_backups"],
        "delete_database",
        "list_databases",
        id="db.drop-mysql",
    ),
]


@pytest.mark.parametrize(("change", "plan_calls", "write", "read"), CASES)
async def test_plan_execute_verify_and_the_calls_made(
    ops: DatabaseOps,
    state: SandboxState,
    clock: FakeClock,
    change: Change,
    plan_calls: list[str],
    write: str,
    read: str,
) -> None:
    plan = await ops.plan(change)
    assert operations(state) == plan_calls

    # Approval takes longer than the cache lives: execution reads the cluster list again.
    clock.advance(TTL + 1)
    state.reset_calls()
    result = await ops.execute(plan)
    assert operations(state) == ["list_clusters", read, write, read]
    assert result.calls == 4
    assert result.outcome is Outcome.APPLIED
    assert result.observed == plan.after
    assert [call.status for call in state.calls] == [200, 200, 201 if write.startswith("add") else 204, 200]

    # What DigitalOcean now holds is what the plan said.
    cluster = state.find_cluster(plan.cluster_name)
    if plan.action.value.startswith("pool."):
        pool = cluster.pools.get(plan.target)
        seen = (
            None if pool is None else {"size": pool.size, "mode": pool.mode, "db": pool.db, "user": pool.user}
        )
    else:
        seen = {"name": plan.target} if plan.target in cluster.dbs else None
    assert seen == (plan.after.fields() if plan.after else None)

    # Reconcile, with the cache dropped by the write: the cluster list and one read, never a write.
    state.reset_calls()
    reconciled = await ops.reconcile(plan)
    assert operations(state) == ["list_clusters", read]
    assert (reconciled.outcome, reconciled.calls) == (Outcome.APPLIED, 2)


@pytest.mark.parametrize(("change", "plan_calls", "write", "read"), CASES)
async def test_with_the_cluster_list_cached_each_step_makes_one_call_fewer(
    ops: DatabaseOps, state: SandboxState, change: Change, plan_calls: list[str], write: str, read: str
) -> None:
    await ops.list_clusters()
    state.reset_calls()
    plan = await ops.plan(change)
    assert operations(state) == plan_calls[1:]
    state.reset_calls()
    await ops.reconcile(plan)
    assert operations(state) == [read]
    state.reset_calls()
    result = await ops.execute(plan)
    assert operations(state) == [read, write, read]
    assert result.calls == 3


async def test_a_resize_keeps_the_pools_user_and_database(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="reports", size=12))
    await ops.execute(plan)
    reports = state.clusters[PROD_PG].pools["reports"]
    assert (reports.size, reports.mode, reports.db, reports.user) == (12, "session", "orders", "reporting")


async def test_reads_over_http(ops: DatabaseOps, state: SandboxState) -> None:
    listing = await ops.list_pools("prod-pg")
    assert [pool.name for pool in listing.pools] == ["reports", "web"]
    assert listing.capacity is not None
    assert listing.capacity.left == 67
    assert [db.name for db in await ops.list_databases("analytics-pg")] == ["defaultdb", "events"]
    assert [user.name for user in await ops.list_users("staging-pg")] == ["app", "doadmin"]
    assert (await ops.show_pool("staging", "staging-web")).pool.size == 10
    assert operations(state) == [
        "list_clusters",
        "list_pools",
        "list_databases",
        "list_users",
        "list_pools",
    ]


async def test_drift_between_plan_and_execute_is_refused_without_a_write(
    ops: DatabaseOps, state: SandboxState, base_url: str
) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    # Someone resizes the pool through DigitalOcean meanwhile (here: the sandbox's own API).
    async with httpx.AsyncClient(base_url=base_url) as other:
        answer = await other.put(
            f"/v2/databases/{PROD_PG}/pools/web",
            json={"mode": "transaction", "size": 12, "db": "app", "user": "app"},
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        )
    assert answer.status_code == 204
    state.reset_calls()
    with pytest.raises(StalePlan) as error:
        await ops.execute(plan)
    assert str(error.value) == "the plan is stale: size changed from 20 to 12 since the request"
    assert operations(state) == ["list_pools"]
    assert state.clusters[PROD_PG].pools["web"].size == 12
