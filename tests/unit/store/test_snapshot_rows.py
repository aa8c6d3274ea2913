"""Plans keep typed snapshots, stored as the same JSON objects as before (issue 14, item 2): a row written
before snapshots were typed still loads, and a new row is written in that same form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.digitalocean import PoolMode
from bot.ops.plan import DatabaseSnapshot, ExecutionResult, Outcome, Plan, PoolSnapshot
from bot.store import Store
from bot.store.schema import requests

from .test_store import SUBMITTED, new_request

# How a resize plan and its result were stored while snapshots were `dict[str, str | int | None]`.
OLD_BEFORE = {"size": 20, "mode": "transaction", "db": "app", "user": "app"}
OLD_AFTER = {"size": 30, "mode": "transaction", "db": "app", "user": "app"}
OLD_OBSERVED = {"size": 30, "mode": "burst", "db": "app", "user": None}  # a mode this version does not know


def _old_plan(plan: Plan) -> dict[str, Any]:
    stored = plan.model_dump(mode="json")
    return {**stored, "before": OLD_BEFORE, "after": OLD_AFTER}


async def test_a_row_written_with_untyped_snapshots_loads_as_typed_ones(store: Store) -> None:
    request = new_request()
    await store.insert_request(request, SUBMITTED)
    old_result = {"outcome": "applied", "observed": OLD_OBSERVED, "message": "done", "calls": 1}
    async with store.engine.begin() as conn:
        await conn.execute(
            update(requests)
            .where(requests.c.id == request.id)
            .values(plan=_old_plan(request.plan), result=old_result)
        )
    loaded = await store.get(request.id)
    assert loaded is not None
    assert loaded.plan.before == PoolSnapshot(size=20, mode=PoolMode.TRANSACTION, db="app", user="app")
    assert loaded.plan.after == PoolSnapshot(size=30, mode=PoolMode.TRANSACTION, db="app", user="app")
    assert loaded.result is not None
    assert loaded.result.observed == PoolSnapshot(size=30, mode="burst", db="app", user=None)


async def test_a_typed_snapshot_is_stored_as_the_same_json_object(store: Store) -> None:
    request = new_request()
    result = ExecutionResult(
        outcome=Outcome.APPLIED, observed=PoolSnapshot(**OLD_OBSERVED), message="done", calls=1
    )
    await store.insert_request(request.model_copy(update={"result": result}), SUBMITTED)
    async with store.engine.connect() as conn:
        row = (await conn.execute(select(requests.c.plan, requests.c.result))).one()
    assert (row.plan["before"], row.plan["after"]) == (OLD_BEFORE, OLD_AFTER)
    assert row.result["observed"] == OLD_OBSERVED


def test_a_database_snapshot_reads_back_as_a_database() -> None:
    plan = new_request().plan
    dropped = plan.model_copy(update={"before": DatabaseSnapshot(name="orders"), "after": None})
    again = Plan.model_validate_json(dropped.model_dump_json())
    assert again.before == DatabaseSnapshot(name="orders")
