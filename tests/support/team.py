"""The channels, people and policy the end-to-end tests and drills play with.

The demo (`bot/demo/story.py`) uses the same IDs but keeps its own copy: the bot's code never imports tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import yaml

CHANNEL = "C0DBOPS"
INCIDENTS = "C0INCIDENTS"
ALICE = "U0ALICE"  # asks
LEAD1 = "U0LEAD1"  # approvers named by ID
LEAD2 = "U0LEAD2"
LEAD3 = "U0LEAD3"  # an approver through the user group LEADS
LEADS = "S0DBLEADS"
MALLORY = "U0MALLORY"  # not an approver

APPROVALS = {"pool.create": 1, "pool.resize": 1, "pool.delete": 1, "db.create": 1, "db.drop": 2}


def policy_yaml(
    approvers: Sequence[str] = (LEAD1, LEAD2, LEADS),
    *,
    channels: Sequence[str] = (),
    approvals: Mapping[str, int] | None = None,
) -> str:
    """A policy file: these approvers, one approval per action (two to drop a database) unless `approvals`
    says otherwise, notices in INCIDENTS, a 60-minute TTL, no self-approval, `defaultdb` protected."""
    policy: dict[str, object] = {
        "approvers": list(approvers),
        "notify_channels": [INCIDENTS],
        "request_ttl_minutes": 60,
        "allow_self_approval": False,
        "protected_databases": ["defaultdb"],
        "actions": {
            action: {"approvals": count} for action, count in {**APPROVALS, **(approvals or {})}.items()
        },
    }
    if channels:
        policy["channels"] = list(channels)
    return yaml.safe_dump(policy, sort_keys=False)
