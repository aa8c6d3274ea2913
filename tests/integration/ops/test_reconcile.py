"""A write whose answer never came: execution reports an unknown outcome, and reconcile decides from
DigitalOcean's state (after a restart, from the stored plan) whether it took effect, never by repeating it.
"""

from __future__ import annotations

import pytest

from bot.digitalocean import DigitalOceanClient
from bot.ops import (
    Change,
    DatabaseOps,
    DbCreate,
    DbDrop,
    Outcome,
    OutcomeUnknownError,
    Plan,
    PoolCreate,
    PoolDelete,
    PoolResize,
)
from bot.sandbox import PROD_PG, SandboxState
from tests.support.clocks import FakeClock

from .conftest import RETRY, operations

CREATE_POOL = PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="session", user="app")
RESIZE_POOL = PoolResize(cluster="prod-pg", pool="web", size=25)
DELETE_POOL = PoolDelete(cluster="prod-pg", pool="reports")
CREATE_DB = DbCreate(cluster="prod-pg", db="billing")
DROP_DB = DbDrop(cluster="analytics-pg", db="events")

# (change, the write's operation, the read that decides, how often the client sends the write)
# The client sends a POST once; a PUT or DELETE, safe to repeat, up to its 4 attempts.
CASES = [
    pytest.param(CREATE_POOL, "add_pool", "list_pools", 1, id="pool.create"),
    pytest.param(RESIZE_POOL, "update_pool", "list_pools", RETRY.attempts, id="pool.resize"),
    pytest.param(DELETE_POOL, "delete_pool", "list_pools", RETRY.attempts, id="pool.delete"),
    pytest.param(CREATE_DB, "add_database", "list_databases", 1, id="db.create"),
    pytest.param(DROP_DB, "delete_database", "list_databases", RETRY.attempts, id="db.drop"),
]


def held(state: SandboxState, plan: Plan) -> object:
    """What the sandbox holds for the plan's target, in the plan's snapshot form."""
    cluster = state.find_cluster(plan.cluster_name)
    if plan.action.value.startswith("pool."):
        pool = cluster.pools.get(plan.target)
        return (
            None if pool is None else {"size": pool.size, "mode": pool.mode, "db": pool.db, "user": pool.user}
        )
    return {"name": plan.target} if plan.target in cluster.dbs else None


async def unknown_outcome(ops: DatabaseOps, plan: Plan) -> OutcomeUnknownError:
    with pytest.raises(OutcomeUnknownError) as error:
        await ops.execute(plan)
    return error.value


async def reconcile_after_restart(
    client: DigitalOceanClient, clock: FakeClock, plan: Plan
) -> tuple[Plan, DatabaseOps]:
    """The stored plan and a fresh service, as after the bot restarted mid-way."""
    return Plan.model_validate_json(plan.model_dump_json()), DatabaseOps(client, clock=clock)


@pytest.mark.parametrize(("change", "write", "read", "sent"), CASES)
async def test_applied_then_the_connection_dropped(
    ops: DatabaseOps,
    client: DigitalOceanClient,
    state: SandboxState,
    clock: FakeClock,
    change: Change,
    write: str,
    read: str,
    sent: int,
) -> None:
    plan = await ops.plan(change)
    # Every attempt the client makes is applied and then loses its answer.
    state.faults.apply_then_drop(operation=write, times=RETRY.attempts)
    await unknown_outcome(ops, plan)
    assert [call.status for call in state.calls_for(write)] == [None] * sent
    assert held(state, plan) == (plan.after.fields() if plan.after else None)

    stored, fresh = await reconcile_after_restart(client, clock, plan)
    state.reset_calls()
    result = await fresh.reconcile(stored)
    assert (result.outcome, result.observed) == (Outcome.APPLIED, plan.after)
    assert operations(state) == ["list_clusters", read]  # reads only: nothing is repeated


@pytest.mark.parametrize(("change", "write", "read", "sent"), CASES)
async def test_the_connection_dropped_before_anything_was_applied(
    ops: DatabaseOps,
    client: DigitalOceanClient,
    state: SandboxState,
    clock: FakeClock,
    change: Change,
    write: str,
    read: str,
    sent: int,
) -> None:
    plan = await ops.plan(change)
    state.faults.drop(operation=write, times=RETRY.attempts)
    await unknown_outcome(ops, plan)
    assert [call.status for call in state.calls_for(write)] == [None] * sent
    assert held(state, plan) == (plan.before.fields() if plan.before else None)

    stored, fresh = await reconcile_after_restart(client, clock, plan)
    state.reset_calls()
    result = await fresh.reconcile(stored)
    assert (result.outcome, result.observed) == (Outcome.NOT_APPLIED, plan.before)
    assert operations(state) == ["list_clusters", read]


async def test_a_post_is_never_repeated_by_the_client(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(CREATE_POOL)
    state.faults.apply_then_drop(operation="add_pool", times=1)
    error = await unknown_outcome(ops, plan)
    assert str(error) == (
        "DigitalOcean gave no answer while creating pool batch on prod-pg, so whether it took effect is "
        "unknown; the bot will read the state back to decide, never repeat it blindly"
    )
    assert len(state.calls_for("add_pool")) == 1


async def test_a_delete_retried_into_a_404_is_an_unknown_outcome_that_reconcile_resolves(
    ops: DatabaseOps, state: SandboxState
) -> None:
    plan = await ops.plan(DELETE_POOL)
    state.faults.apply_then_drop(operation="delete_pool", times=1)
    await unknown_outcome(ops, plan)
    assert [call.status for call in state.calls_for("delete_pool")] == [None, 404]
    assert (await ops.reconcile(plan)).outcome is Outcome.APPLIED


async def test_someone_else_changed_it_meanwhile_is_a_conflict(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(RESIZE_POOL)
    state.faults.drop(operation="update_pool", times=RETRY.attempts)
    await unknown_outcome(ops, plan)
    state.clusters[PROD_PG].pools["web"].size = 40
    result = await ops.reconcile(plan)
    assert result.outcome is Outcome.CONFLICT
    assert result.observed.fields() == {"size": 40, "mode": "transaction", "db": "app", "user": "app"}
    assert result.message == (
        "pool web on prod-pg matches neither the plan's before nor its after: it now reads size 40, "
        "mode transaction, db app, user app"
    )
