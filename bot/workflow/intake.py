"""Bounds on what people type, checked when a request or a decision comes in, before anything is planned
or stored: the store then never fails on what intake accepted, and the person gets one clear sentence.

    a new pool's or database's name               its own rule (`bot.ops.rules.check_new_name`)
    names (cluster, pool, database, user)         at most NAME_MAX (255) characters
    reasons (emergency, rejection)                at most REASON_MAX (500) characters
    Slack IDs (the person, the channel)           at most SLACK_ID_MAX (32) characters
"""

from __future__ import annotations

from bot.ops.changes import Change
from bot.ops.rules import check_new_name, new_name_field
from bot.store import NAME_MAX, SLACK_ID_MAX

from .errors import InputTooLong

__all__ = [
    "NAME_MAX",
    "REASON_MAX",
    "SLACK_ID_MAX",
    "check_change",
    "check_ids",
    "check_name",
    "check_reason",
]

REASON_MAX = 500
"""The longest emergency or rejection reason (the reject form's own limit too)."""

_NAMES = {"cluster": "cluster name", "pool": "pool name", "db": "database name", "user": "user name"}


def check_change(change: Change) -> None:
    """Every other text field of `change` within NAME_MAX (`InputTooLong` naming the field), then a
    create's new name by the service layer's rule for it (`InvalidRequest`, its one sentence)."""
    new = new_name_field(change)
    for field, value in change.model_dump().items():
        if isinstance(value, str) and field != new:
            check_name(value, field=field)
    check_new_name(change)


def check_name(value: str, *, field: str = "cluster") -> None:
    """A name (a cluster as typed in `/dbops audit` too) within NAME_MAX."""
    if len(value) > NAME_MAX:
        raise InputTooLong(_NAMES.get(field, field), len(value), NAME_MAX, field=field)


def check_reason(reason: str | None, *, what: str = "reason") -> None:
    if reason is not None and len(reason) > REASON_MAX:
        raise InputTooLong(what, len(reason), REASON_MAX, field="reason")


def check_ids(*ids: str) -> None:
    """Slack IDs from a payload (a signed one, so this only guards the store's columns)."""
    for value in ids:
        if len(value) > SLACK_ID_MAX:
            raise InputTooLong("Slack ID", len(value), SLACK_ID_MAX, field="id")
