"""A plan: what a change will do, made from the state it was read from; rendered by the Slack layer."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypedDict

from pydantic import BaseModel, ConfigDict, Field, computed_field

from bot.digitalocean.models import PoolMode

from .changes import Action, Change

__all__ = [
    "Capacity",
    "DatabaseSnapshot",
    "ExecutionResult",
    "Outcome",
    "Plan",
    "PlanDetails",
    "PoolSnapshot",
    "Snapshot",
    "fingerprint",
]


class _Snapshot(BaseModel):
    # extra="forbid" tells a stored pool from a stored database when a plan is read back
    model_config = ConfigDict(frozen=True, extra="forbid")

    def fields(self) -> dict[str, str | int | None]:
        """Field → value, in the order a plan shows them (as stored: a mode by its text)."""
        return self.model_dump(mode="json")


class PoolSnapshot(_Snapshot):
    """What a plan shows of a pool (never its connection details). `mode` keeps a mode DigitalOcean
    sends that this version does not know as its text."""

    size: int
    mode: Annotated[PoolMode | str, Field(union_mode="left_to_right")]
    db: str
    user: str | None


class DatabaseSnapshot(_Snapshot):
    name: str


Snapshot = PoolSnapshot | DatabaseSnapshot
"""What a pool or a database looks like in a plan; stored as the JSON object of its fields."""


class Capacity(BaseModel):
    """Backend connections of a cluster: 25 per GB of the primary node's RAM, minus 3 reserved."""

    model_config = ConfigDict(frozen=True)

    total: int
    used: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def left(self) -> int:
        return self.total - self.used


class Plan(BaseModel):
    """The operation, its target, `before` → `after`, capacity before and after, warnings and a fingerprint.

    `before` is None for a create, `after` is None for a delete or drop. `fingerprint` is a hash of the
    state the plan was made from; execution re-reads the state and refuses if it no longer matches.
    """

    model_config = ConfigDict(frozen=True)

    action: Action
    change: Change
    cluster_id: str
    cluster_name: str
    target: str
    before: Snapshot | None
    after: Snapshot | None
    capacity_before: Capacity | None = None
    capacity_after: Capacity | None = None
    warnings: list[str] = []
    dependent_pools: list[str] = []
    backup_checked: bool = False  # a drop's plan reads the cluster's backups
    latest_backup_at: datetime | None = None  # when its latest backup was taken (None: there is none)
    fingerprint: str

    @property
    def resource_key(self) -> str:
        """One key per resource, so two pending requests for the same pool or database can be caught."""
        return f"{self.cluster_id}/{self.action.kind}/{self.target}"

    @property
    def summary(self) -> str:
        verb = {
            Action.POOL_CREATE: "create pool",
            Action.POOL_RESIZE: "resize pool",
            Action.POOL_DELETE: "delete pool",
            Action.DB_CREATE: "create database",
            Action.DB_DROP: "drop database",
        }[self.action]
        return f"{verb} {self.target} on {self.cluster_name}"


class PlanDetails(TypedDict, total=False):
    """The fields of a plan that only some operations fill in."""

    capacity_before: Capacity | None
    capacity_after: Capacity | None
    warnings: list[str]
    dependent_pools: list[str]
    backup_checked: bool
    latest_backup_at: datetime | None


class Outcome(StrEnum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    CONFLICT = "conflict"


class ExecutionResult(BaseModel):
    """What execution (or reconciliation) observed on DigitalOcean afterwards."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    observed: Snapshot | None
    message: str
    calls: int = 0


def fingerprint(state: object) -> str:
    """A short, stable hash of JSON-able state."""
    blob = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
