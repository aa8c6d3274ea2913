"""Break-glass: who may make an emergency change, where, which changes, and how many a day.

An emergency request skips approval: it runs when its countdown ends unless someone stops it, and then
opens a review an approver must acknowledge (see `timers.fire_due`). Every refusal is one sentence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ops.changes import Action
from bot.store import EmergencyCap, Store

from .channels import ChannelDirectory
from .errors import EmergencyRefused, NotIncidentChannel
from .policy import ANYONE, BreakGlass, GroupResolver, Policy

__all__ = [
    "CAP_WINDOW",
    "allowed_emergency",
    "cap_reached",
    "check_emergency",
    "emergency_cap",
    "mentionable",
]

CAP_WINDOW = timedelta(hours=24)
"""The daily cap counts the emergency requests of the last 24 hours."""


async def check_emergency(
    policy: Policy,
    groups: GroupResolver,
    channels: ChannelDirectory,
    store: Store,
    *,
    action: Action,
    requester: str,
    channel: str,
    now: datetime,
) -> BreakGlass:
    """The policy's break-glass rules if `requester` may make this emergency change here, now; otherwise
    raises `EmergencyRefused` saying why."""
    rules = await allowed_emergency(
        policy, groups, channels, action=action, requester=requester, channel=channel
    )
    made = await store.count_emergencies(requester, now - CAP_WINDOW)
    if made >= rules.daily_cap:
        raise cap_reached(made)
    return rules


async def allowed_emergency(
    policy: Policy,
    groups: GroupResolver,
    channels: ChannelDirectory,
    *,
    action: Action,
    requester: str,
    channel: str,
) -> BreakGlass:
    """Every rule but the daily cap: asked at submission, and again when the countdown ends (the policy
    may have changed, or the bot restarted with another one). Raises `EmergencyRefused`."""
    rules = policy.break_glass
    if rules is None:
        raise EmergencyRefused(
            "Emergency changes are not enabled: the policy has no break_glass section; ask for approval.",
            setting="break_glass",
        )
    if not policy.channel_allowed(channel):
        raise EmergencyRefused("The policy's channels do not include this channel.", setting="channels")
    if not await _is_incident_channel(rules, channels, channel):
        raise NotIncidentChannel(list(rules.channels))
    if not await policy.is_listed(requester, rules.on_call, groups):
        raise EmergencyRefused("Only the on-call engineers can make emergency changes; ask for approval.")
    if action not in rules.actions:
        allowed = ", ".join(a.value for a in rules.actions) or "none"
        raise EmergencyRefused(
            f"The policy does not allow {action.value} as an emergency change (allowed: {allowed})."
        )
    return rules


async def _is_incident_channel(rules: BreakGlass, channels: ChannelDirectory, channel: str) -> bool:
    """By ID; or, for name patterns, by the public channel's name as Slack confirms it."""
    if rules.is_incident_channel_id(channel):
        return True
    if not rules.has_name_patterns():
        return False
    info = await channels.lookup(channel)
    return info is not None and info.id == channel and not info.is_private and rules.matches_name(info.name)


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
