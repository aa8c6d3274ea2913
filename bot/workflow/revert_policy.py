"""The policy's `actions.revert`: who approves a revert, and how many. Without it (or without one of its
keys), the inverse action's own rule applies: a resize's revert is approved as a resize is. Matching
`clusters` rules apply as to any request; self-approval follows `allow_self_approval`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .approver_ids import Approvers

__all__ = ["RevertRule"]


class RevertRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approvals: int | None = Field(default=None, ge=1, le=10)
    approvers: Approvers | None = None
