"""What each plan shows a lead: before → after, capacity, warnings, dependent pools; JSON round trips."""

from __future__ import annotations

import pytest

from bot.ops import (
    CHANGE_ADAPTER,
    Action,
    DatabaseOps,
    DbCreate,
    DbDrop,
    InvalidRequest,
    Plan,
    PoolCreate,
    PoolDelete,
    PoolResize,
)
from bot.ops.plan import DatabaseSnapshot
from bot.sandbox import PROD_PG, SandboxState

from .conftest import writes


async def test_resize_plan(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolResize(cluster="prod", pool="web", size=25, mode="session"))
    assert plan.action is Action.POOL_RESIZE
    assert (plan.cluster_id, plan.cluster_name, plan.target) == (PROD_PG, "prod-pg", "web")
    assert plan.before.fields() == {"size": 20, "mode": "transaction", "db": "app", "user": "app"}
    assert plan.after.fields() == {"size": 25, "mode": "session", "db": "app", "user": "app"}
    assert plan.capacity_before is not None
    assert plan.capacity_after is not None
    assert (plan.capacity_before.used, plan.capacity_before.left) == (30, 67)
    assert (plan.capacity_after.used, plan.capacity_after.left) == (35, 62)
    assert plan.warnings == [
        "in session mode each client of pool web holds one server connection for as long as it stays "
        "connected, so at most 25 clients can use the pool at once and the others wait"
    ]
    assert plan.summary == "resize pool web on prod-pg"
    assert plan.resource_key == f"{PROD_PG}/pool/web"


async def test_create_plan(ops: DatabaseOps) -> None:
    change = PoolCreate(
        cluster="prod-pg", pool="batch", db="orders", size=60, mode="statement", user="reporting"
    )
    plan = await ops.plan(change)
    assert plan.before is None
    assert plan.after.fields() == {"size": 60, "mode": "statement", "db": "orders", "user": "reporting"}
    assert plan.capacity_after is not None
    assert (plan.capacity_after.used, plan.capacity_after.left) == (90, 7)
    assert plan.warnings[-1] == "afterwards only 7 of 97 backend connections are left on prod-pg"
    assert plan.warnings[0].startswith("in statement mode a client of pool batch")


async def test_delete_plan_frees_capacity(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolDelete(cluster="prod-pg", pool="reports"))
    assert plan.before.fields() == {"size": 10, "mode": "session", "db": "orders", "user": "reporting"}
    assert plan.after is None
    assert plan.capacity_after is not None
    assert (plan.capacity_after.used, plan.capacity_after.left) == (20, 77)
    assert plan.warnings == [
        "every client that connects through pool reports (clients give the pool's name as the database "
        "name) fails at once: its connections are closed and new ones are refused"
    ]


async def test_db_create_plan(ops: DatabaseOps) -> None:
    plan = await ops.plan(DbCreate(cluster="orders-mysql", db="billing"))
    assert (plan.before, plan.after, plan.capacity_after) == (None, DatabaseSnapshot(name="billing"), None)
    assert plan.resource_key.endswith("/db/billing")


async def test_db_create_rules(ops: DatabaseOps) -> None:
    with pytest.raises(InvalidRequest) as taken:
        await ops.plan(DbCreate(cluster="prod-pg", db="app"))
    assert (str(taken.value), taken.value.field) == ("cluster prod-pg already has a database named app", "db")
    with pytest.raises(InvalidRequest) as badly_named:
        await ops.plan(DbCreate(cluster="prod-pg", db="Billing"))
    assert str(badly_named.value) == (
        'database name "Billing" may contain only lowercase letters, digits, "-" and "_", '
        "and must start with a letter"
    )
    with pytest.raises(InvalidRequest) as too_long:
        await ops.plan(DbCreate(cluster="prod-pg", db="b" * 64))
    assert str(too_long.value) == "a database name must be 1 to 63 characters long, not 64"
    with pytest.raises(InvalidRequest) as redis:
        await ops.plan(DbCreate(cluster="cache-redis", db="billing"))
    assert str(redis.value) == (
        "cluster cache-redis runs Caching (Redis), on which DigitalOcean offers no database management"
    )


async def test_drop_plan_lists_the_pools_that_would_break(ops: DatabaseOps) -> None:
    plan = await ops.plan(DbDrop(cluster="prod-pg", db="app"))
    assert (plan.before, plan.after) == (DatabaseSnapshot(name="app"), None)
    assert plan.dependent_pools == ["web"]
    assert plan.warnings == ["dropping app deletes all of its data", "pool web uses app and would break"]
    staging = await ops.plan(DbDrop(cluster="analytics-pg", db="events"))
    assert staging.dependent_pools == []
    assert staging.warnings == [
        "dropping events deletes all of its data",
        "cluster analytics-pg has no backup: the data cannot be restored after the drop",
    ]


async def test_drop_refuses_the_default_and_protected_databases(
    ops: DatabaseOps, state: SandboxState
) -> None:
    with pytest.raises(InvalidRequest) as default:
        await ops.plan(DbDrop(cluster="prod-pg", db="defaultdb"))
    assert (str(default.value), default.value.field) == (
        "the default database defaultdb cannot be dropped: DigitalOcean does not allow it",
        "db",
    )
    with pytest.raises(InvalidRequest) as protected:
        await ops.plan(DbDrop(cluster="prod-pg", db="orders"))
    assert str(protected.value) == "database orders is protected by policy and cannot be dropped"
    with pytest.raises(InvalidRequest) as missing:
        await ops.plan(DbDrop(cluster="staging-pg", db="events"))
    assert (
        str(missing.value)
        == 'cluster staging-pg has no database named "events"; its databases are: app, defaultdb'
    )
    with pytest.raises(InvalidRequest) as redis:
        await ops.plan(DbDrop(cluster="cache-redis", db="x"))
    assert redis.value.field == "cluster"
    assert writes(state) == []


@pytest.mark.parametrize(
    "change",
    [
        PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="transaction", user="app"),
        PoolResize(cluster="prod-pg", pool="web", size=25),
        PoolDelete(cluster="prod-pg", pool="web"),
        DbCreate(cluster="prod-pg", db="billing"),
        DbDrop(cluster="prod-pg", db="app"),
    ],
)
async def test_plans_round_trip_json_and_carry_no_secret(
    ops: DatabaseOps, state: SandboxState, change: object
) -> None:
    plan = await ops.plan(CHANGE_ADAPTER.validate_python(change))
    blob = plan.model_dump_json()
    assert Plan.model_validate_json(blob) == plan
    secrets = [user.password for cluster in state.clusters.values() for user in cluster.users]
    assert secrets
    assert not [secret for secret in secrets if secret in blob]
    assert "postgresql://" not in blob
    assert "sandbox-token" not in blob


async def test_the_fingerprint_follows_the_state_it_was_made_from(
    ops: DatabaseOps, state: SandboxState
) -> None:
    change = PoolResize(cluster="prod-pg", pool="web", size=25)
    first = await ops.plan(change)
    assert (await ops.plan(change)).fingerprint == first.fingerprint
    state.clusters[PROD_PG].pools["web"].size = 21
    assert (await ops.plan(change)).fingerprint != first.fingerprint
