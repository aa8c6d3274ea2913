"""Naming clusters and the reads the Slack layer shows (clusters, pools with capacity, databases, users)."""

from __future__ import annotations

import pytest

from bot.digitalocean import DigitalOceanClient
from bot.ops import ClusterNotFound, DatabaseOps, InvalidRequest
from bot.sandbox import PROD_PG, SandboxCluster, SandboxState
from tests.support.clocks import FakeClock

ALL = "analytics-pg, cache-redis, orders-mysql, prod-pg, reporting-pg, staging-pg"


async def test_list_clusters_is_sorted_by_name(ops: DatabaseOps) -> None:
    assert [c.name for c in await ops.list_clusters()] == ALL.split(", ")


@pytest.mark.parametrize(
    "ref", ["prod-pg", PROD_PG, "PROD-PG", "  prod-pg ", "prod", "9cc10173", PROD_PG.upper()]
)
async def test_a_cluster_is_named_by_name_uuid_or_a_unique_prefix(ops: DatabaseOps, ref: str) -> None:
    assert (await ops.resolve_cluster(ref)).id == PROD_PG


async def test_an_unknown_cluster_lists_the_candidates(ops: DatabaseOps) -> None:
    with pytest.raises(ClusterNotFound) as error:
        await ops.resolve_cluster("billing")
    assert str(error.value) == f'there is no cluster named "billing"; the clusters are: {ALL}'
    assert error.value.candidates == ALL.split(", ")
    assert error.value.field == "cluster"


async def test_a_prefix_of_several_clusters_is_refused_never_guessed(
    ops: DatabaseOps, state: SandboxState
) -> None:
    state.add_cluster(
        SandboxCluster(
            id="9cc10173-0000-4000-8000-000000000001",
            name="prod-pg-replica",
            engine="pg",
            version="16",
            size="db-s-1vcpu-1gb",
        )
    )
    with pytest.raises(ClusterNotFound) as by_name:
        await ops.resolve_cluster("prod-p")
    assert str(by_name.value) == (
        '"prod-p" matches several clusters: prod-pg, prod-pg-replica; say which one by its full name'
    )
    assert by_name.value.candidates == ["prod-pg", "prod-pg-replica"]
    with pytest.raises(ClusterNotFound) as by_uuid:
        await ops.resolve_cluster("9cc10173")
    assert by_uuid.value.candidates == ["prod-pg", "prod-pg-replica"]
    # The full name is exact, so it is not ambiguous even though it prefixes another name.
    assert (await ops.resolve_cluster("prod-pg")).id == PROD_PG


async def test_cluster_tag_limits_every_read_through_digitaloceans_filter(
    client: DigitalOceanClient, clock: FakeClock, state: SandboxState
) -> None:
    ops = DatabaseOps(client, cluster_tag="production", clock=clock)
    assert [c.name for c in await ops.list_clusters()] == ["analytics-pg", "orders-mysql", "prod-pg"]
    assert [c.query for c in state.calls_for("list_clusters")] == ["tag_name=production"]
    with pytest.raises(ClusterNotFound) as error:
        await ops.list_pools("staging-pg")
    assert str(error.value) == (
        'there is no cluster tagged production named "staging-pg"; the clusters tagged production are: '
        "analytics-pg, orders-mysql, prod-pg"
    )


async def test_list_pools_gives_pools_and_capacity(ops: DatabaseOps) -> None:
    listing = await ops.list_pools("prod-pg")
    assert listing.cluster.name == "prod-pg"
    assert [(p.name, p.mode.value, p.size, p.db, p.user) for p in listing.pools] == [
        ("reports", "session", 10, "orders", "reporting"),
        ("web", "transaction", 20, "app", "app"),
    ]
    assert listing.capacity is not None
    assert (listing.capacity.total, listing.capacity.used, listing.capacity.left) == (97, 30, 67)


async def test_pools_only_on_postgresql(ops: DatabaseOps) -> None:
    with pytest.raises(InvalidRequest) as error:
        await ops.list_pools("orders-mysql")
    assert str(error.value) == (
        "connection pools exist only on PostgreSQL clusters, and orders-mysql is MySQL"
    )


async def test_show_pool(ops: DatabaseOps) -> None:
    view = await ops.show_pool("staging-pg", "staging-web")
    assert (view.pool.size, view.pool.mode.value, view.pool.db) == (10, "transaction", "app")
    assert view.capacity is not None
    assert (view.capacity.total, view.capacity.left) == (22, 12)
    with pytest.raises(InvalidRequest) as error:
        await ops.show_pool("staging-pg", "nope")
    assert str(error.value) == 'cluster staging-pg has no pool named "nope"; its pools are: staging-web'
    assert error.value.field == "pool"


async def test_list_databases_and_users(ops: DatabaseOps) -> None:
    assert [db.name for db in await ops.list_databases("prod-pg")] == ["app", "defaultdb", "orders"]
    users = await ops.list_users("prod-pg")
    assert [(u.name, u.role.value if u.role else None) for u in users] == [
        ("app", "normal"),
        ("doadmin", "primary"),
        ("reporting", "normal"),
    ]
    assert "password" not in users[0].model_dump()


async def test_no_database_management_on_redis(ops: DatabaseOps) -> None:
    with pytest.raises(InvalidRequest) as error:
        await ops.list_databases("cache-redis")
    assert str(error.value) == (
        "cluster cache-redis runs Caching (Redis), on which DigitalOcean offers no database management"
    )


async def test_the_cluster_list_is_cached_for_the_ttl_and_read_again_after(
    ops: DatabaseOps, state: SandboxState, clock: FakeClock
) -> None:
    await ops.list_pools("prod-pg")
    await ops.list_pools("staging-pg")
    clock.advance(29.9)
    await ops.resolve_cluster("prod-pg")
    assert state.call_counts()["list_clusters"] == 1
    clock.advance(0.2)
    await ops.resolve_cluster("prod-pg")
    assert state.call_counts()["list_clusters"] == 2
