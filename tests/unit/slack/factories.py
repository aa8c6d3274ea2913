"""Requests and plans as the engine and the service layer hand them to the Slack layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.ops.changes import Change, DbDrop, PoolResize
from bot.ops.plan import Capacity, Plan
from bot.store.records import Approval, Request, RequestState

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
PROD_PG = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"


def resize_plan(pool: str = "web", *, before: int = 20, after: int = 25) -> Plan:
    change: Change = PoolResize(cluster="prod-pg", pool=pool, size=after)
    return Plan(
        action=change.action,
        change=change,
        cluster_id=PROD_PG,
        cluster_name="prod-pg",
        target=pool,
        before={"size": before, "mode": "transaction", "db": "app", "user": "app"},
        after={"size": after, "mode": "transaction", "db": "app", "user": "app"},
        capacity_before=Capacity(total=97, used=30),
        capacity_after=Capacity(total=97, used=30 - before + after),
        fingerprint="f" * 16,
    )


def drop_plan(db: str = "orders") -> Plan:
    change: Change = DbDrop(cluster="prod-pg", db=db)
    return Plan(
        action=change.action,
        change=change,
        cluster_id=PROD_PG,
        cluster_name="prod-pg",
        target=db,
        before={"name": db},
        after=None,
        warnings=["pool reports uses database orders and would break"],
        dependent_pools=["reports"],
        fingerprint="d" * 16,
    )


def request(plan: Plan | None = None, **overrides: Any) -> Request:
    plan = plan or resize_plan()
    fields: dict[str, Any] = {
        "id": "R-7K3F9Q",
        "action": plan.action,
        "change": plan.change,
        "plan": plan,
        "resource_key": plan.resource_key,
        "cluster_id": plan.cluster_id,
        "cluster_name": plan.cluster_name,
        "state": RequestState.PENDING,
        "requester": "U0ALICE",
        "channel": "C0DBOPS",
        "required_approvals": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "expires_at": NOW + timedelta(hours=1),
    }
    fields.update(overrides)
    return Request(**fields)


def approval(user: str) -> Approval:
    return Approval(user=user, at=NOW)
