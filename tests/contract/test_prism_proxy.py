"""The bot (service layer and client) through `prism proxy` of DigitalOcean's spec in front of the sandbox:
every request the bot sends and every answer the sandbox gives must be one the spec allows.

Prism reports a violation in the `sl-violations` header; `--errors` also turns it into an error answer,
so a violation fails loudly. Every one of the 14 operations goes through the proxy at least once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.digitalocean import DigitalOceanClient, DigitalOceanError, RetryPolicy
from bot.ops import DatabaseOps, DbCreate, DbDrop, Outcome, PoolCreate, PoolDelete, PoolResize
from bot.sandbox import PROD_PG, SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.model import SandboxPool
from bot.sandbox.routes import OPERATIONS
from bot.sandbox.server import serve_in_background

from .prism import run_prism, the_spec

pytestmark = pytest.mark.contract

Exchanges = list[tuple[str, int, str | None]]  # "METHOD path", status, sl-violations or Prism's problem


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.seeded()


@pytest.fixture
def exchanges() -> Exchanges:
    return []


@pytest.fixture
async def client(state: SandboxState, exchanges: Exchanges) -> AsyncIterator[DigitalOceanClient]:
    async def record(response: httpx.Response) -> None:
        request = response.request
        exchanges.append(
            (
                f"{request.method} {request.url.path}",
                response.status_code,
                response.headers.get("sl-violations"),
            )
        )

    async with (
        serve_in_background(create_app(state)) as sandbox,
        run_prism("proxy", str(the_spec()), sandbox, "--errors") as proxy,
    ):
        http = httpx.AsyncClient(base_url=proxy, timeout=30.0, event_hooks={"response": [record]})
        async with http, DigitalOceanClient(SANDBOX_TOKEN, http=http, retry=RetryPolicy(attempts=1)) as do:
            yield do


async def test_every_operation_through_prism_proxy_has_no_violation(
    client: DigitalOceanClient, state: SandboxState, exchanges: Exchanges
) -> None:
    ops = DatabaseOps(client, cache_ttl=0.0, protected_databases=frozenset({"defaultdb"}))

    # Reads, as the commands make them.
    assert [c.name for c in await ops.list_clusters()][:1] == ["analytics-pg"]
    assert (await ops.list_pools("prod-pg")).pools
    assert (await ops.show_pool("prod-pg", "web")).pool.size == 20
    assert await ops.list_databases("prod-pg")
    assert await ops.list_users("prod-pg")
    # Changes, planned and executed: create, resize, delete a pool (one without a user); create, drop a db.
    changes = [
        PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="session"),
        PoolResize(cluster="prod-pg", pool="batch", size=6, mode="transaction"),
        PoolDelete(cluster="prod-pg", pool="batch"),
        DbCreate(cluster="prod-pg", db="billing"),
        DbDrop(cluster="prod-pg", db="billing"),
    ]
    for change in changes:
        result = await ops.execute(await ops.plan(change))
        assert result.outcome is Outcome.APPLIED, result.message
    # The client's reads that no command makes.
    await client.list_options()
    await client.list_clusters(tag_name="production")
    assert (await client.get_cluster(PROD_PG)).name == "prod-pg"
    assert (await client.get_database(PROD_PG, "app")).name == "app"
    assert (await client.get_pool(PROD_PG, "web")).name == "web"

    assert [e for e in exchanges if e[1] >= 400 or e[2] is not None] == []
    assert set(state.call_counts()) == set(OPERATIONS)


async def test_the_proxy_is_live_a_request_the_spec_forbids_fails_loudly(
    client: DigitalOceanClient, exchanges: Exchanges, state: SandboxState
) -> None:
    http: httpx.AsyncClient = client._http  # the proxy's client, to send what the bot never would
    response = await http.post(
        f"/v2/databases/{PROD_PG}/pools",
        json={"name": "batch", "size": "five", "db": "app"},
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
    )

    # With --errors, Prism answers a violation itself: 422 and an application/problem+json body.
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "size" in response.text
    assert state.calls_for("add_pool") == []  # Prism refused it before the sandbox saw it


async def test_the_proxy_is_live_an_answer_the_spec_forbids_fails_loudly(
    client: DigitalOceanClient, exchanges: Exchanges, state: SandboxState
) -> None:
    state.add_pool(PROD_PG, SandboxPool(name="broken", mode=None, size=1, db="app"))  # type: ignore[arg-type]

    with pytest.raises(DigitalOceanError):
        await client.get_pool(PROD_PG, "broken")

    [(_, status, violations)] = exchanges
    assert status >= 400
    assert violations is not None
    assert "mode" in violations
