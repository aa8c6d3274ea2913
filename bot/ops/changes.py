"""The changes a person can ask for, as typed values (what the Slack layer parses into, and the store keeps).

These carry the request as typed: the service layer resolves names and validates every rule, with one
clear sentence per failure, before anything goes to approval.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.digitalocean.models import PoolMode

__all__ = [
    "CHANGE_ADAPTER",
    "Action",
    "Change",
    "DbCreate",
    "DbDrop",
    "PoolCreate",
    "PoolDelete",
    "PoolMode",
    "PoolResize",
]


class Action(StrEnum):
    POOL_CREATE = "pool.create"
    POOL_RESIZE = "pool.resize"
    POOL_DELETE = "pool.delete"
    DB_CREATE = "db.create"
    DB_DROP = "db.drop"

    @property
    def kind(self) -> str:
        """What the action changes: "pool" or "db"."""
        return self.value.partition(".")[0]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster: str = Field(description="The cluster's name or UUID, as the person typed it.")


class PoolCreate(_Change):
    action: Literal[Action.POOL_CREATE] = Action.POOL_CREATE
    pool: str
    db: str
    size: int
    mode: PoolMode
    user: str | None = None


class PoolResize(_Change):
    action: Literal[Action.POOL_RESIZE] = Action.POOL_RESIZE
    pool: str
    size: int | None = None
    mode: PoolMode | None = None


class PoolDelete(_Change):
    action: Literal[Action.POOL_DELETE] = Action.POOL_DELETE
    pool: str


class DbCreate(_Change):
    action: Literal[Action.DB_CREATE] = Action.DB_CREATE
    db: str


class DbDrop(_Change):
    action: Literal[Action.DB_DROP] = Action.DB_DROP
    db: str


Change = Annotated[
    PoolCreate | PoolResize | PoolDelete | DbCreate | DbDrop,
    Field(discriminator="action"),
]

CHANGE_ADAPTER: TypeAdapter[Change] = TypeAdapter(Change)
