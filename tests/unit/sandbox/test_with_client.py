"""The real `DigitalOceanClient` against the sandbox: models parse, credentials are dropped, errors map."""

from __future__ import annotations

import pytest

from bot.digitalocean import (
    DigitalOceanClient,
    Engine,
    NotFound,
    OutcomeUnknown,
    PoolMode,
    PoolSpec,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedError,
    Unprocessable,
)
from bot.sandbox import CACHE_REDIS, PROD_PG, STAGING_PG, SandboxCluster, SandboxState
from tests.support.clocks import RecordedSleep


async def test_list_clusters_parses_and_drops_credentials(client: DigitalOceanClient) -> None:
    clusters = await client.list_clusters()
    assert [(c.name, c.engine, c.ram_gb) for c in clusters] == [
        ("prod-pg", Engine.PG, 4),
        ("staging-pg", Engine.PG, 1),
        ("analytics-pg", Engine.PG, 16),
        ("reporting-pg", Engine.PG, 2),
        ("orders-mysql", Engine.MYSQL, 2),
        ("cache-redis", Engine.REDIS, 1),
    ]
    dumped = repr([c.model_dump() for c in clusters])
    assert "fake-" not in dumped
    assert "sandbox.invalid" not in dumped


async def test_client_follows_pages(client: DigitalOceanClient, state: SandboxState) -> None:
    # The client asks without per_page, so put 25 clusters in: DigitalOcean's default page is 20.
    for i in range(19):
        state.add_cluster(
            SandboxCluster(
                id=f"00000000-0000-4000-8000-{i:012d}",
                name=f"extra-{i}",
                engine="pg",
                version="16",
                size="db-s-1vcpu-1gb",
            )
        )
    clusters = await client.list_clusters()
    assert len(clusters) == 25
    assert [c.query for c in state.calls_for("list_clusters")] == ["", "page=2&per_page=20"]


async def test_tag_filter_through_the_client(client: DigitalOceanClient) -> None:
    assert [c.name for c in await client.list_clusters(tag_name="staging")] == ["staging-pg"]


async def test_pool_lifecycle(client: DigitalOceanClient, state: SandboxState) -> None:
    spec = PoolSpec(name="batch", mode=PoolMode.SESSION, size=7, db="orders", user="reporting")
    created = await client.add_pool(PROD_PG, spec)
    assert created.model_dump() == spec.model_dump()
    await client.update_pool(PROD_PG, spec.model_copy(update={"size": 9, "user": None}))
    got = await client.get_pool(PROD_PG, "batch")
    assert (got.size, got.user) == (9, None)
    await client.delete_pool(PROD_PG, "batch")
    assert [p.name for p in await client.list_pools(PROD_PG)] == ["web", "reports"]
    assert state.call_counts() == {
        "add_pool": 1,
        "update_pool": 1,
        "get_pool": 1,
        "delete_pool": 1,
        "list_pools": 1,
    }


async def test_database_lifecycle(client: DigitalOceanClient) -> None:
    assert (await client.add_database(STAGING_PG, "reports")).name == "reports"
    assert (await client.get_database(STAGING_PG, "reports")).name == "reports"
    await client.delete_database(STAGING_PG, "reports")
    assert [d.name for d in await client.list_databases(STAGING_PG)] == ["defaultdb", "app"]
    cluster = await client.get_cluster(STAGING_PG)
    assert cluster.db_names == ["defaultdb", "app"]


async def test_users_and_options(client: DigitalOceanClient) -> None:
    users = await client.list_users(PROD_PG)
    assert [u.name for u in users] == ["doadmin", "app", "reporting"]
    assert "fake-" not in repr(users)
    options = await client.list_options()
    assert "db-s-2vcpu-4gb" in options[Engine.PG].sizes


async def test_errors_map_to_the_client_exceptions(client: DigitalOceanClient) -> None:
    with pytest.raises(Unprocessable) as too_big:
        await client.add_pool(STAGING_PG, PoolSpec(name="huge", mode=PoolMode.TRANSACTION, size=13, db="app"))
    assert too_big.value.message.startswith("Pool size 13 is too large: cluster staging-pg")
    assert too_big.value.request_id is not None
    with pytest.raises(NotFound):
        await client.get_pool(PROD_PG, "ghost")
    with pytest.raises(Unprocessable, match="only supported on PostgreSQL"):
        await client.list_pools(CACHE_REDIS)


async def test_token_rotation_gives_unauthorized(client: DigitalOceanClient, state: SandboxState) -> None:
    state.rotate_token("new-token")
    with pytest.raises(Unauthorized, match="Unable to authenticate you"):
        await client.list_clusters()


async def test_client_waits_out_a_rate_limit(
    client: DigitalOceanClient, state: SandboxState, sleep: RecordedSleep
) -> None:
    state.faults.rate_limit(reset_in=20, operation="list_pools")
    pools = await client.list_pools(PROD_PG)
    assert [p.name for p in pools] == ["web", "reports"]
    assert sleep.waits == [20.0]
    assert [c.status for c in state.calls_for("list_pools")] == [429, 200]


async def test_client_gives_up_on_a_long_rate_limit(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.rate_limit(reset_in=3600, retry_after=900)
    with pytest.raises(RateLimited) as caught:
        await client.list_clusters()
    assert caught.value.retry_after == 900.0


async def test_client_retries_a_get_through_5xx(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.server_error(503, operation="get_cluster")
    assert (await client.get_cluster(PROD_PG)).name == "prod-pg"
    assert [c.status for c in state.calls_for("get_cluster")] == [503, 200]


async def test_post_is_not_repeated_after_a_5xx(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.server_error(500, operation="add_database")
    with pytest.raises(ServerError):
        await client.add_database(PROD_PG, "billing")
    assert len(state.calls_for("add_database")) == 1


async def test_html_page_is_an_unexpected_error(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.not_json(502, operation="add_pool")
    with pytest.raises(UnexpectedError):
        await client.add_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=1, db="app"))


async def test_applied_then_dropped_write_is_outcome_unknown(
    client: DigitalOceanClient, state: SandboxState
) -> None:
    state.faults.apply_then_drop(operation="add_pool")
    with pytest.raises(OutcomeUnknown):
        await client.add_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=1, db="app"))
    assert len(state.calls_for("add_pool")) == 1  # never sent twice
    # …and reconcile can see that it did happen:
    assert (await client.get_pool(PROD_PG, "batch")).size == 1


async def test_dropped_get_is_retried_then_transport_error(
    client: DigitalOceanClient, state: SandboxState
) -> None:
    state.faults.drop(operation="list_clusters", times=None)
    with pytest.raises(TransportError):
        await client.list_clusters()
    assert len(state.calls_for("list_clusters")) == 3  # the POLICY's attempts


async def test_timed_out_delete_that_happened(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.apply_then_timeout(operation="delete_pool")
    # The retried DELETE finds the pool gone: the client reports the outcome as unknown.
    with pytest.raises(OutcomeUnknown):
        await client.delete_pool(PROD_PG, "reports")
    assert [c.status for c in state.calls_for("delete_pool")] == [None, 404]
    assert "reports" not in state.find_cluster("prod-pg").pools
