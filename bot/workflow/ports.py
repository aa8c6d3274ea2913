"""What the engine needs from the layers around it: the service layer below, and a notifier above."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from bot.ops.changes import Change
from bot.ops.plan import ExecutionResult, Plan
from bot.store import AuditEvent, Request

__all__ = ["ChangeService", "Clock", "Notifier", "SilentNotifier", "utc_now"]

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class ChangeService(Protocol):
    """The service layer (`bot/ops/`).

    `plan` raises `bot.ops.errors.InvalidRequest` (the change is refused). `execute` raises `StalePlan` or
    `UpstreamFailure` (the change was not made) or `OutcomeUnknownError` (it may have been made).
    `reconcile` reads DigitalOcean and says whether the plan's change is in place; it never writes.
    """

    async def plan(self, change: Change) -> Plan: ...

    async def execute(self, plan: Plan) -> ExecutionResult: ...

    async def reconcile(self, plan: Plan) -> ExecutionResult: ...


class Notifier(Protocol):
    """Told after every committed change of a request (the Slack layer updates the card, posts in the
    thread, announces outcomes in `notify_channels`). Its errors are logged and never undo anything."""

    async def request_changed(self, request: Request, event: AuditEvent) -> None: ...


class SilentNotifier:
    """A notifier that tells no one."""

    async def request_changed(self, request: Request, event: AuditEvent) -> None:
        return None
