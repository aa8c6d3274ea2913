"""What an approvers list of the policy holds: Slack user IDs, user group IDs, or `*` (anyone); never
empty. Shared by every part of the policy that names approvers."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["ANYONE", "GROUP_ID", "USER_ID", "Approvers"]

ANYONE = "*"
"""In an approvers list: any member of the workspace (the requester still needs `allow_self_approval`)."""

USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
GROUP_ID = re.compile(r"^S[A-Z0-9]+$")


def _approver_id(value: str) -> str:
    if value == ANYONE or USER_ID.match(value) or GROUP_ID.match(value):
        return value
    raise ValueError(f"{value!r} is not a Slack user ID (U…, W…), user group ID (S…) or '*'")


def _not_empty(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("is empty, so nobody could approve; list user or group IDs, or '*' for anyone")
    return value


Approvers = Annotated[list[Annotated[str, AfterValidator(_approver_id)]], AfterValidator(_not_empty)]
