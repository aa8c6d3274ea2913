"""Every pool rule, refused before approval with the sentence the user reads; nothing is written."""

from __future__ import annotations

import pytest

from bot.digitalocean import PoolMode
from bot.ops import CapacityExceeded, DatabaseOps, InvalidRequest, PoolCreate, PoolDelete, PoolResize
from bot.ops.rules import parse_mode
from bot.sandbox import STAGING_PG, SandboxCluster, SandboxPool, SandboxState

from .conftest import writes


def create(**overrides: object) -> PoolCreate:
    fields: dict[str, object] = {
        "cluster": "prod-pg",
        "pool": "batch",
        "db": "app",
        "size": 5,
        "mode": "transaction",
        "user": "app",
    }
    fields.update(overrides)
    return PoolCreate.model_validate(fields)


async def refusal(ops: DatabaseOps, change: PoolCreate | PoolResize | PoolDelete) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as error:
        await ops.plan(change)
    return error.value


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        ("ab", 'pool name "ab" is 2 characters long; DigitalOcean requires 3 to 60'),
        ("a" * 61, f'pool name "{"a" * 61}" is 61 characters long; DigitalOcean requires 3 to 60'),
        (
            "Batch",
            'pool name "Batch" may contain only lowercase letters, digits, "-" and "_", '
            "and must start with a letter",
        ),
        (
            "1batch",
            'pool name "1batch" may contain only lowercase letters, digits, "-" and "_", '
            "and must start with a letter",
        ),
        (
            "batch pool",
            'pool name "batch pool" may contain only lowercase letters, digits, "-" and "_", '
            "and must start with a letter",
        ),
    ],
)
async def test_pool_names(ops: DatabaseOps, state: SandboxState, pool: str, message: str) -> None:
    error = await refusal(ops, create(pool=pool))
    assert (str(error), error.field) == (message, "pool")
    assert writes(state) == []


@pytest.mark.parametrize("pool", ["abc", "a" * 60, "batch_2-x"])
async def test_pool_names_within_the_rules_pass(ops: DatabaseOps, pool: str) -> None:
    assert (await ops.plan(create(pool=pool))).target == pool


async def test_a_taken_pool_name(ops: DatabaseOps) -> None:
    error = await refusal(ops, create(pool="web"))
    assert (str(error), error.field) == ("cluster prod-pg already has a pool named web", "pool")


def test_mode_must_be_a_pgbouncer_mode() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_mode("fast")
    assert (str(caught.value), caught.value.field) == (
        'mode "fast" is not a pool mode; choose session, transaction or statement',
        "mode",
    )
    assert parse_mode(" Session ") is PoolMode.SESSION
    with pytest.raises(ValueError, match="mode"):
        create(mode="fast")  # a change carries a mode only as the enum


@pytest.mark.parametrize("size", [0, -3, 2**31])
async def test_size_is_from_one_to_int32(ops: DatabaseOps, size: int) -> None:
    error = await refusal(ops, create(size=size))
    assert (str(error), error.field) == (
        f'size must be a whole number from 1 to 2,147,483,647, not "{size}"',
        "size",
    )


def test_size_must_be_a_whole_number() -> None:
    with pytest.raises(ValueError, match="size"):
        create(size=2.5)


async def test_the_database_must_exist(ops: DatabaseOps) -> None:
    error = await refusal(ops, create(db="billing"))
    assert (str(error), error.field) == (
        'cluster prod-pg has no database named "billing"; its databases are: app, defaultdb, orders',
        "db",
    )


async def test_the_user_must_exist_when_given(ops: DatabaseOps) -> None:
    error = await refusal(ops, create(user="ghost"))
    assert (str(error), error.field) == (
        'prod-pg has no user named "ghost"; its users are: app, doadmin, reporting',
        "user",
    )
    plan = await ops.plan(create(user=None))
    assert plan.after is not None
    assert plan.after.user is None
    assert "pool batch has no user: clients connect as the user they log in with" in plan.warnings


async def test_pools_only_on_postgresql(ops: DatabaseOps) -> None:
    error = await refusal(ops, create(cluster="orders-mysql", db="orders", user=None))
    assert (str(error), error.field) == (
        "connection pools exist only on PostgreSQL clusters, and orders-mysql is MySQL",
        "cluster",
    )
    error = await refusal(ops, PoolDelete(cluster="cache-redis", pool="web"))
    assert (
        str(error) == "connection pools exist only on PostgreSQL clusters, and cache-redis is Caching (Redis)"
    )


async def test_a_cluster_that_is_not_online_is_named_as_such(ops: DatabaseOps) -> None:
    error = await refusal(ops, create(cluster="reporting-pg", db="defaultdb", user=None))
    assert (str(error), error.field) == (
        "cluster reporting-pg is resizing, not online; try again when it is online",
        "cluster",
    )


async def test_capacity_of_the_example(ops: DatabaseOps) -> None:
    with pytest.raises(CapacityExceeded) as error:
        await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=120))
    assert str(error.value) == (
        "size 120 exceeds the capacity left: prod-pg allows 97 backend connections, other pools use 10, "
        "so the largest size that fits is 87"
    )


def _empty_pg(state: SandboxState, name: str, size: str) -> None:
    state.add_cluster(
        SandboxCluster(
            id=f"00000000-0000-4000-8000-{len(state.clusters):012d}",
            name=name,
            engine="pg",
            version="16",
            size=size,
            dbs=["defaultdb"],
        )
    )


@pytest.mark.parametrize(
    ("cluster", "fits"),
    [
        ("staging-pg", 12),  # 1 GB: 22, staging-web uses 10
        ("small-pg", 47),  # 2 GB: 47, no pools
        ("prod-pg", 67),  # 4 GB: 97, web 20 + reports 10
        ("big-pg", 197),  # 8 GB: 197, no pools
    ],
)
async def test_a_new_pool_that_exactly_fills_is_accepted_and_one_more_refused(
    ops: DatabaseOps, state: SandboxState, cluster: str, fits: int
) -> None:
    _empty_pg(state, "small-pg", "db-s-1vcpu-2gb")
    _empty_pg(state, "big-pg", "db-s-4vcpu-8gb")
    plan = await ops.plan(create(cluster=cluster, db="defaultdb", user=None, size=fits))
    assert plan.capacity_after is not None
    assert plan.capacity_after.left == 0
    with pytest.raises(CapacityExceeded) as error:
        await ops.plan(create(cluster=cluster, db="defaultdb", user=None, size=fits + 1))
    assert error.value.largest_fit == fits


async def test_a_resize_that_exactly_fills_is_accepted_and_one_more_refused(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolResize(cluster="staging-pg", pool="staging-web", size=22))
    assert plan.capacity_after is not None
    assert (plan.capacity_after.used, plan.capacity_after.left) == (22, 0)
    with pytest.raises(CapacityExceeded) as error:
        await ops.plan(PoolResize(cluster="staging-pg", pool="staging-web", size=23))
    assert str(error.value) == (
        "size 23 exceeds the capacity left: staging-pg allows 22 backend connections, other pools use 0, "
        "so the largest size that fits is 22"
    )


async def test_shrinking_a_pool_on_an_overcommitted_cluster_is_allowed(
    ops: DatabaseOps, state: SandboxState
) -> None:
    state.add_pool(STAGING_PG, SandboxPool("legacy", "session", 20, "app", "app"))  # 30 of 22 in use
    plan = await ops.plan(PoolResize(cluster="staging-pg", pool="legacy", size=15))
    assert plan.capacity_after is not None
    assert (plan.capacity_after.total, plan.capacity_after.used) == (22, 25)
    with pytest.raises(CapacityExceeded):
        await ops.plan(PoolResize(cluster="staging-pg", pool="staging-web", size=11))


async def test_a_resize_must_change_something(ops: DatabaseOps) -> None:
    error = await refusal(ops, PoolResize(cluster="prod-pg", pool="web"))
    assert (str(error), error.field) == ("say what to change: a new size, a new mode or both", "size")
    error = await refusal(ops, PoolResize(cluster="prod-pg", pool="web", size=20, mode="transaction"))
    assert str(error) == "pool web already has size 20 and mode transaction; nothing to change"


async def test_a_resize_needs_an_existing_pool(ops: DatabaseOps) -> None:
    error = await refusal(ops, PoolResize(cluster="prod-pg", pool="api", size=5))
    assert (str(error), error.field) == (
        'cluster prod-pg has no pool named "api"; its pools are: reports, web',
        "pool",
    )
    error = await refusal(ops, PoolDelete(cluster="analytics-pg", pool="api"))
    assert str(error) == 'cluster analytics-pg has no pool named "api"; its pools are: (none)'


async def test_a_cluster_without_ram_in_its_slug_has_unknown_capacity(
    ops: DatabaseOps, state: SandboxState
) -> None:
    _empty_pg(state, "odd-pg", "db-custom")
    plan = await ops.plan(create(cluster="odd-pg", db="defaultdb", user=None, size=500))
    assert plan.capacity_before is None
    assert plan.capacity_after is None
    assert (
        "the capacity of odd-pg is unknown (its size db-custom names no RAM); DigitalOcean will check it"
        in plan.warnings
    )
