"""Break-glass: who may make an emergency change, where, which changes, and how many a day.

An emergency request skips approval: it runs when its countdown ends unless someone stops it, and then
opens a review an approver must acknowledge (see `timers.fire_due`). Every refusal is one sentence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ops.changes import Action
from bot.store import EmergencyCap, Store

from .errors import EmergencyRefused
from .policy import ANYONE, BreakGlass, GroupResolver, Policy

__all__ = ["CAP_WINDOW", "cap_reached", "check_emergency", "emergency_cap", "mentionable"]

CAP_WINDOW = timedelta(hours=24)
"""The daily cap counts the emergency requests of the last 24 hours."""


async def check_emergency(
    policy: Policy,
    groups: GroupResolver,
    store: Store,
    *,
    action: Action,
    requester: str,
    channel: str,
    channel_name: str | None,
    now: datetime,
) -> BreakGlass:
    """The policy's break-glass rules if `requester` may make this emergency change here, now; otherwise
    raises `EmergencyRefused` saying why."""
    rules = policy.break_glass
    if rules is None:
        raise EmergencyRefused(
            "Emergency changes are not enabled: the policy has no `break_glass` section; ask for approval."
        )
    if not rules.is_incident_channel(channel, channel_name):
        where = ", ".join(f"<#{c}>" if c[:1] in "CG" and c.isupper() else f"#{c}" for c in rules.channels)
        raise EmergencyRefused(f"Emergency changes are accepted only in incident channels ({where}).")
    if not await policy.is_listed(requester, rules.on_call, groups):
        raise EmergencyRefused("Only the on-call engineers can make emergency changes; ask for approval.")
    if action not in rules.actions:
        allowed = ", ".join(a.value for a in rules.actions) or "none"
        raise EmergencyRefused(
            f"The policy does not allow {action.value} as an emergency change (allowed: {allowed})."
        )
    made = await store.count_emergencies(requester, now - CAP_WINDOW)
    if made >= rules.daily_cap:
        raise cap_reached(made)
    return rules


def emergency_cap(rules: BreakGlass, now: datetime) -> EmergencyCap:
    """The cap the store enforces again, atomically, when it inserts the request."""
    return EmergencyCap(limit=rules.daily_cap, since=now - CAP_WINDOW)


def cap_reached(made: int) -> EmergencyRefused:
    return EmergencyRefused(
        f"You have made {made} emergency change{'s' if made != 1 else ''} in the last 24 hours, the most "
        "the policy allows; ask for approval."
    )


def mentionable(lists: list[list[str]]) -> list[str]:
    """The user and group IDs worth mentioning from approver lists (not `*`), without repeats."""
    seen: list[str] = []
    for allowed in lists:
        for entry in allowed:
            if entry != ANYONE and entry not in seen:
                seen.append(entry)
    return seen
