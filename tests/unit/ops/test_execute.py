"""Execution: re-read, refuse drift, one write, read back; reconcile decides without writing."""

from __future__ import annotations

import pytest

from bot.digitalocean import DigitalOceanClient
from bot.ops import (
    CapacityExceeded,
    ClusterNotFound,
    DatabaseOps,
    DbCreate,
    DbDrop,
    InvalidRequest,
    Outcome,
    PoolCreate,
    PoolDelete,
    PoolResize,
    StalePlan,
)
from bot.ops.plan import DatabaseSnapshot
from bot.sandbox import PROD_PG, STAGING_PG, SandboxPool, SandboxState
from tests.support.clocks import FakeClock

from .conftest import writes

WEB = f"/v2/databases/{PROD_PG}/pools/web"


async def test_resize_sends_the_whole_pool_and_reads_it_back(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    state.reset_calls()
    result = await ops.execute(plan)
    assert writes(state) == [f"PUT {WEB}"]
    web = state.clusters[PROD_PG].pools["web"]
    # The PUT replaces the pool: had the bot left out the user or db, DigitalOcean would have dropped them.
    assert (web.size, web.mode, web.db, web.user) == (25, "transaction", "app", "app")
    assert result.outcome is Outcome.APPLIED
    assert result.observed.fields() == {"size": 25, "mode": "transaction", "db": "app", "user": "app"}
    assert result.message == "resized pool web on prod-pg: size 20 → 25"
    assert result.calls == len(state.calls) == 3  # list_pools, PUT, list_pools (clusters cached)


async def test_a_mode_change_keeps_the_size(ops: DatabaseOps, state: SandboxState) -> None:
    result = await ops.execute(
        await ops.plan(PoolResize(cluster="prod-pg", pool="reports", mode="transaction"))
    )
    reports = state.clusters[PROD_PG].pools["reports"]
    assert (reports.size, reports.mode, reports.user) == (10, "transaction", "reporting")
    assert result.message == "resized pool reports on prod-pg: mode session → transaction"


async def test_create_and_delete_a_pool(ops: DatabaseOps, state: SandboxState) -> None:
    created = await ops.execute(
        await ops.plan(PoolCreate(cluster="staging-pg", pool="jobs", db="app", size=12, mode="session"))
    )
    assert created.outcome is Outcome.APPLIED
    assert created.message == "created pool jobs on staging-pg: session, size 12, database app"
    jobs = state.clusters[STAGING_PG].pools["jobs"]
    assert (jobs.size, jobs.mode, jobs.db, jobs.user) == (12, "session", "app", None)
    deleted = await ops.execute(await ops.plan(PoolDelete(cluster="staging-pg", pool="jobs")))
    assert (deleted.outcome, deleted.observed, deleted.message) == (
        Outcome.APPLIED,
        None,
        "deleted pool jobs on staging-pg",
    )
    assert "jobs" not in state.clusters[STAGING_PG].pools


async def test_create_and_drop_a_database(ops: DatabaseOps, state: SandboxState) -> None:
    created = await ops.execute(await ops.plan(DbCreate(cluster="orders-mysql", db="billing")))
    assert (created.outcome, created.observed) == (Outcome.APPLIED, DatabaseSnapshot(name="billing"))
    assert created.message == "created database billing on orders-mysql"
    dropped = await ops.execute(await ops.plan(DbDrop(cluster="orders-mysql", db="billing")))
    assert (dropped.outcome, dropped.observed) == (Outcome.APPLIED, None)
    assert dropped.message == "dropped database billing on orders-mysql"
    assert "billing" not in state.find_cluster("orders-mysql").dbs


@pytest.mark.parametrize(
    ("drift", "message"),
    [
        ({"size": 12}, "the plan is stale: size changed from 20 to 12 since the request"),
        (
            {"user": None, "mode": "session"},
            (
                "the plan is stale: mode changed from transaction to session and user changed from app to "
                "(none) since the request"
            ),
        ),
    ],
)
async def test_drift_between_plan_and_execution_is_refused_without_a_write(
    ops: DatabaseOps, state: SandboxState, drift: dict[str, object], message: str
) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    for key, value in drift.items():
        setattr(state.clusters[PROD_PG].pools["web"], key, value)
    with pytest.raises(StalePlan) as error:
        await ops.execute(plan)
    assert str(error.value) == message
    assert writes(state) == []


async def test_a_pool_deleted_or_created_meanwhile_is_drift(ops: DatabaseOps, state: SandboxState) -> None:
    resize = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    create = await ops.plan(PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="session"))
    del state.clusters[PROD_PG].pools["web"]
    state.add_pool(PROD_PG, SandboxPool("batch", "session", 5, "app"))
    with pytest.raises(StalePlan) as deleted:
        await ops.execute(resize)
    assert str(deleted.value) == "the plan is stale: pool web was deleted since the request"
    with pytest.raises(StalePlan) as created:
        await ops.execute(create)
    assert str(created.value) == "the plan is stale: pool batch was created since the request"
    drop = await ops.plan(DbDrop(cluster="prod-pg", db="app"))
    state.clusters[PROD_PG].dbs.remove("app")
    with pytest.raises(StalePlan) as dropped:
        await ops.execute(drop)
    assert str(dropped.value) == "the plan is stale: database app was deleted since the request"
    assert writes(state) == []


async def test_capacity_is_checked_again_before_the_write(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(PoolCreate(cluster="prod-pg", pool="batch", db="app", size=60, mode="session"))
    state.clusters[PROD_PG].pools["reports"].size = 20
    with pytest.raises(CapacityExceeded) as error:
        await ops.execute(plan)
    assert str(error.value) == (
        "size 60 exceeds the capacity left: prod-pg allows 97 backend connections, other pools use 40, "
        "so the largest size that fits is 57"
    )
    assert writes(state) == []


async def test_a_cluster_that_stopped_being_online_is_refused(
    ops: DatabaseOps, state: SandboxState, clock: FakeClock
) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    state.clusters[PROD_PG].status = "migrating"
    clock.advance(31)
    with pytest.raises(InvalidRequest) as error:
        await ops.execute(plan)
    assert str(error.value) == "cluster prod-pg is migrating, not online; try again when it is online"
    assert writes(state) == []


async def test_protection_and_scope_hold_at_execution(
    ops: DatabaseOps, client: DigitalOceanClient, clock: FakeClock, state: SandboxState
) -> None:
    drop = await ops.plan(DbDrop(cluster="staging-pg", db="app"))
    stricter = DatabaseOps(client, clock=clock, protected_databases=frozenset({"app"}))
    with pytest.raises(InvalidRequest) as protected:
        await stricter.execute(drop)
    assert str(protected.value) == "database app is protected by policy and cannot be dropped"
    production_only = DatabaseOps(client, clock=clock, cluster_tag="production")
    with pytest.raises(ClusterNotFound) as scoped:
        await production_only.execute(drop)
    assert str(scoped.value) == (
        "cluster staging-pg is no longer among the clusters tagged production the bot manages"
    )
    assert writes(state) == []


async def test_every_write_drops_the_cluster_cache(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    await ops.execute(plan)
    assert state.call_counts()["list_clusters"] == 1
    await ops.list_clusters()
    assert state.call_counts()["list_clusters"] == 2


@pytest.mark.parametrize(
    ("web", "outcome", "message"),
    [
        (
            SandboxPool("web", "transaction", 25, "app", "app"),
            Outcome.APPLIED,
            "the change took effect: resized pool web on prod-pg: size 20 → 25",
        ),
        (
            SandboxPool("web", "transaction", 20, "app", "app"),
            Outcome.NOT_APPLIED,
            "the change did not take effect: pool web on prod-pg is as it was",
        ),
        (
            SandboxPool("web", "session", 30, "app", "app"),
            Outcome.CONFLICT,
            "pool web on prod-pg matches neither the plan's before nor its after: it now reads size 30, "
            "mode session, db app, user app",
        ),
        (
            None,
            Outcome.CONFLICT,
            "pool web on prod-pg matches neither the plan's before nor its after: it now reads nothing "
            "(it does not exist)",
        ),
    ],
)
async def test_reconcile_decides_from_the_state_and_never_writes(
    ops: DatabaseOps, state: SandboxState, web: SandboxPool | None, outcome: Outcome, message: str
) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    del state.clusters[PROD_PG].pools["web"]
    if web is not None:
        state.add_pool(PROD_PG, web)
    result = await ops.reconcile(plan)
    assert (result.outcome, result.message) == (outcome, message)
    assert writes(state) == []


async def test_reconcile_of_a_drop(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(DbDrop(cluster="prod-pg", db="app"))
    assert (await ops.reconcile(plan)).outcome is Outcome.NOT_APPLIED
    state.clusters[PROD_PG].dbs.remove("app")
    result = await ops.reconcile(plan)
    assert (result.outcome, result.observed) == (Outcome.APPLIED, None)
    assert result.message == "the change took effect: dropped database app on prod-pg"
