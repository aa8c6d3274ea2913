"""A pool whose mode the bot does not know breaks no command on its cluster: it is listed and shown as it
is, deleting it works, only a change that would have to write its mode back is refused (issue 12.7)."""

from __future__ import annotations

import pytest

from bot.ops import DatabaseOps, InvalidRequest, Outcome, PoolDelete, PoolResize
from bot.sandbox import PROD_PG, SandboxState
from bot.sandbox.model import SandboxPool

from .conftest import writes


@pytest.fixture
def odd_pool(state: SandboxState) -> SandboxPool:
    return state.add_pool(PROD_PG, SandboxPool(name="odd", mode="burst", size=0, db="app"))


async def test_a_pool_of_an_unknown_mode_is_listed_and_shown_as_it_is(
    ops: DatabaseOps, odd_pool: SandboxPool
) -> None:
    listing = await ops.list_pools("prod-pg")
    assert [(p.name, p.mode, p.size) for p in listing.pools if p.name == "odd"] == [("odd", "burst", 0)]
    view = await ops.show_pool("prod-pg", "odd")
    assert (view.pool.mode, view.pool.size) == ("burst", 0)


async def test_other_pools_of_its_cluster_still_change(ops: DatabaseOps, odd_pool: SandboxPool) -> None:
    result = await ops.execute(await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=21)))
    assert result.outcome is Outcome.APPLIED


async def test_resizing_it_without_naming_a_mode_is_refused_never_writing_the_unknown_mode_back(
    ops: DatabaseOps, state: SandboxState, odd_pool: SandboxPool
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ops.plan(PoolResize(cluster="prod-pg", pool="odd", size=5))
    assert str(caught.value) == (
        'pool odd has mode "burst", which the bot does not know, so it cannot keep it: '
        "say the mode to set (session, transaction or statement)"
    )
    assert caught.value.field == "mode"
    assert writes(state) == []


async def test_naming_the_mode_replaces_it(
    ops: DatabaseOps, state: SandboxState, odd_pool: SandboxPool
) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="odd", size=5, mode="session"))
    assert plan.before is not None
    assert plan.after is not None
    assert (plan.before.fields(), plan.after.fields()) == (
        {"size": 0, "mode": "burst", "db": "app", "user": None},
        {"size": 5, "mode": "session", "db": "app", "user": None},
    )
    assert (await ops.execute(plan)).outcome is Outcome.APPLIED
    assert (odd_pool.mode, odd_pool.size) == ("session", 5)


async def test_deleting_it_works(ops: DatabaseOps, state: SandboxState, odd_pool: SandboxPool) -> None:
    result = await ops.execute(await ops.plan(PoolDelete(cluster="prod-pg", pool="odd")))
    assert result.outcome is Outcome.APPLIED
    assert "odd" not in state.clusters[PROD_PG].pools


async def test_a_mode_change_of_a_pool_of_size_0_asks_for_a_size_instead_of_writing_0_back(
    ops: DatabaseOps, state: SandboxState, odd_pool: SandboxPool
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ops.plan(PoolResize(cluster="prod-pg", pool="odd", mode="session"))
    assert str(caught.value) == (
        "pool odd has size 0, which the bot cannot keep (a pool needs at least 1): say the size to set"
    )
    assert caught.value.field == "size"
    assert writes(state) == []
