"""A name DigitalOcean lists but that cannot be one path segment (`..`, `.`) is refused in the plan with
one clear sentence, and nothing is written (issue 13: `/db drop prod-pg ..` destroyed the cluster)."""

from __future__ import annotations

import pytest

from bot.ops import DatabaseOps, DbDrop, InvalidRequest, PoolDelete, PoolResize
from bot.sandbox import PROD_PG, SandboxState
from bot.sandbox.model import SandboxPool

from .conftest import writes


@pytest.mark.parametrize("name", ["..", "."])
async def test_dropping_a_database_named_dot_dot_is_refused_and_the_cluster_stays(
    ops: DatabaseOps, state: SandboxState, name: str
) -> None:
    state.clusters[PROD_PG].dbs.append(name)  # PostgreSQL allows CREATE DATABASE ".."

    with pytest.raises(InvalidRequest) as caught:
        await ops.plan(DbDrop(cluster="prod-pg", db=name))

    assert caught.value.field == "db"
    assert str(caught.value) == (
        f'database "{name}" cannot be dropped by the bot: a name of "." or ".." would address another '
        "endpoint of DigitalOcean's API; drop it with SQL instead"
    )
    assert writes(state) == []
    assert PROD_PG in state.clusters


@pytest.mark.parametrize(
    "change", [PoolResize(cluster="prod-pg", pool="..", size=5), PoolDelete(cluster="prod-pg", pool="..")]
)
async def test_a_pool_named_dot_dot_is_refused(
    ops: DatabaseOps, state: SandboxState, change: PoolResize | PoolDelete
) -> None:
    state.add_pool(PROD_PG, SandboxPool(name="..", mode="session", size=2, db="app"))

    with pytest.raises(InvalidRequest, match=r'^pool "\.\." cannot be changed by the bot') as caught:
        await ops.plan(change)

    assert caught.value.field == "pool"
    assert writes(state) == []
